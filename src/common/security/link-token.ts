import { createHmac, hkdfSync } from 'node:crypto';

export const LINK_PURPOSES = ['verify_email', 'reset_password'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

const keys = new Map<string, Buffer>();

/** One key per purpose, derived from JWT_SECRET (HKDF): a link key signs nothing else. */
function keyFor(secret: string, purpose: LinkPurpose): Buffer {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'shop mail links', `link-token:${purpose}`, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

/**
 * The secret in a mailed link: HMAC-SHA256 of the user_tokens row id under the purpose's key.
 * Whoever holds JWT_SECRET (the process that issues the row and the one that sends the mail)
 * can compute it; the database keeps only its SHA-256, and the queue job and the outbox row
 * carry only the row id, which is useless without the key.
 */
export function mintLinkToken(secret: string, purpose: LinkPurpose, tokenId: number): string {
  return createHmac('sha256', keyFor(secret, purpose)).update(String(tokenId)).digest('base64url');
}
