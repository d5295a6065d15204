import { generateKeyPairSync } from 'node:crypto';

/** An RSA-2048 key pair in PEM (PKCS#8 private, SPKI public), as a provider's tools make them. */
export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}
