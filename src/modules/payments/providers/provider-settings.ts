import { ConfigError } from '../../../config/load-config.js';

/** A setting an enabled provider cannot do without: missing, the process stops naming it. */
export function requireSetting(
  value: string | undefined,
  variable: string,
  provider: string,
): string {
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(
      `Invalid configuration: ${variable} is required when PAYMENT_PROVIDERS includes ${provider}`,
    );
  }
  return value;
}

/** Notifications older (or newer) than this are refused: a captured one cannot be replayed later. */
export const NOTIFICATION_TOLERANCE_SECONDS = 300;

/** Lower-case header lookup that refuses repeated headers (an array is never a signature). */
export const headerOf = (
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined => headers[name.toLowerCase()];
