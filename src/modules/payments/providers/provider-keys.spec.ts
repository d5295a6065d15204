import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config/load-config.js';
import { rsaKeyPair } from '../../../../test/support/rsa-keys.js';
import { requireKey } from './provider-keys.js';

const pair = rsaKeyPair();
const rsaPem = () => pair;

const bare = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

describe('a provider key', () => {
  it('is read from PEM, from PEM with \\n escapes (env files, secrets), or from bare base64 DER', () => {
    const { privateKey, publicKey } = rsaPem();
    const expected = requireKey(publicKey, 'K', 'p', 'public').export({
      format: 'der',
      type: 'spki',
    });
    for (const text of [publicKey, publicKey.replace(/\n/g, '\\n'), bare(publicKey)]) {
      const key = requireKey(text, 'K', 'p', 'public');
      expect(key.export({ format: 'der', type: 'spki' })).toEqual(expected);
    }
    for (const text of [privateKey, privateKey.replace(/\n/g, '\\n'), bare(privateKey)]) {
      expect(requireKey(text, 'K', 'p', 'private').type).toBe('private');
    }
  });

  it('that is missing, not a key, or of the wrong kind stops the process naming the variable only', () => {
    const { privateKey, publicKey } = rsaPem();
    expect(() => requireKey(undefined, 'ALIPAY_PRIVATE_KEY', 'alipay', 'private')).toThrow(
      'ALIPAY_PRIVATE_KEY is required when PAYMENT_PROVIDERS includes alipay',
    );
    for (const [text, type] of [
      ['c2VjcmV0LXRoYXQtaXMtbm90LWEta2V5', 'private'],
      [publicKey, 'private'],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'public'],
      [privateKey.slice(0, 200), 'private'],
    ] as const) {
      let error: unknown;
      try {
        requireKey(text, 'THE_KEY', 'p', type);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        `Invalid configuration: THE_KEY must be an RSA ${type} key (PEM or base64 DER)`,
      );
    }
  });
});
