import { tracingEnabled } from './tracing-enabled.js';

/**
 * Starts OpenTelemetry before the app is imported, so that http, express, pg and ioredis are
 * patched when they load. When no OTLP endpoint is set nothing is loaded at all: the API
 * package alone stays, and its calls are no-ops.
 */
export async function startTelemetry(defaultServiceName: string): Promise<void> {
  if (!tracingEnabled(process.env)) return;
  const { startSdk } = await import('./sdk.js');
  startSdk(defaultServiceName);
}
