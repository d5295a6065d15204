import { describe, expect, it } from 'vitest';
import type { TokenClaims } from '../token.service.js';
import { VerifiedTokens } from './verified-tokens.js';

const claims = (exp: number): TokenClaims => ({
  sub: '1',
  sid: '00000000-0000-4000-8000-000000000000',
  typ: 'access',
  exp,
});

describe('VerifiedTokens', () => {
  it('knows a token until the second its exp names, as jsonwebtoken counts expiry', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a', claims(1000));
    expect(tokens.claimsOf('a', 999_999)).toEqual(claims(1000));
    expect(tokens.claimsOf('a', 1_000_000)).toBeUndefined();
    // Forgotten once expired: a later clock cannot bring it back.
    expect(tokens.claimsOf('a', 999_000)).toBeUndefined();
  });

  it('knows only the exact text it verified', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', claims(2_000_000_000));
    expect(tokens.claimsOf('a.b.c ', 0)).toBeUndefined();
    expect(tokens.claimsOf('a.b.C', 0)).toBeUndefined();
  });

  it('forgets the oldest token first when full', () => {
    const tokens = new VerifiedTokens(2);
    for (const token of ['a', 'b', 'c']) tokens.remember(token, claims(2_000_000_000));
    expect(tokens.claimsOf('a', 0)).toBeUndefined();
    expect(tokens.claimsOf('b', 0)).toBeDefined();
    expect(tokens.claimsOf('c', 0)).toBeDefined();
  });
});
