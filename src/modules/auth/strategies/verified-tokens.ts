import type { TokenClaims } from '../token.service.js';

/** Tokens remembered at most; the oldest is forgotten first. */
const CAPACITY = 10_000;

/**
 * Access tokens this process verified, by their exact text, with their claims: the same text
 * under the same keys always verifies the same way, so checking its signature again would only
 * repeat the answer. Expiry is not part of that answer: a token is known only while its `exp`
 * is ahead (as jsonwebtoken counts it, in whole seconds), and after that it is verified afresh,
 * which refuses it as expired.
 */
export class VerifiedTokens {
  private readonly known = new Map<string, TokenClaims>();

  constructor(private readonly capacity = CAPACITY) {}

  /** The token's claims, if it was verified and has not expired. */
  claimsOf(token: string, nowMs = Date.now()): TokenClaims | undefined {
    const claims = this.known.get(token);
    if (claims === undefined) return undefined;
    if (Math.floor(nowMs / 1000) >= claims.exp) {
      this.known.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: TokenClaims): void {
    if (this.known.size >= this.capacity && !this.known.has(token)) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    this.known.set(token, claims);
  }
}
