import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../../config/load-config.js';
import { requireSetting } from './provider-settings.js';

/**
 * A key as operators paste it: PEM (with real newlines, or `\n` escapes as env files and
 * secrets often carry them), or the bare base64 DER that Alipay's key tool prints.
 */
function decode(value: string, type: 'private' | 'public'): KeyObject {
  const text = value.replace(/\\n/g, '\n').trim();
  if (text.startsWith('-----BEGIN')) {
    return type === 'private' ? createPrivateKey(text) : createPublicKey(text);
  }
  const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
  const attempts =
    type === 'private'
      ? [
          () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
          () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
        ]
      : [
          () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
          () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
        ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // the next format
    }
  }
  throw new Error('not a key');
}

/**
 * An enabled provider's RSA key, read at start-up: missing or unreadable, the process stops
 * naming the variable (never printing the value).
 */
export function requireKey(
  value: string | undefined,
  variable: string,
  provider: string,
  type: 'private' | 'public',
): KeyObject {
  const text = requireSetting(value, variable, provider);
  let key: KeyObject | undefined;
  try {
    key = decode(text, type);
  } catch {
    key = undefined;
  }
  if (key?.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(
      `Invalid configuration: ${variable} must be an RSA ${type} key (PEM or base64 DER)`,
    );
  }
  return key;
}
