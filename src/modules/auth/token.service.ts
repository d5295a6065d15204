import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { JwtKeys } from './jwt-keys.js';

export const TOKEN_ISSUER = 'shop-api';
export const JWT_ALGORITHM = 'HS256';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  sub: string;
  /** The login (session family) the token belongs to. */
  sid: string;
  typ: TokenType;
  jti?: string;
  exp: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  refreshHash: string;
  refreshExpiresAt: Date;
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * Whether verified claims have the shape this service signs: the type asked for, a user id, a
 * session id (a UUID) and an expiry. Anything else is not one of our tokens (401), even when
 * its signature is good, so nothing malformed reaches a query.
 */
export function isTokenOf(
  claims: Partial<Record<keyof TokenClaims, unknown>>,
  typ: TokenType,
): boolean {
  return (
    claims.typ === typ &&
    typeof claims.sub === 'string' &&
    USER_ID.test(claims.sub) &&
    typeof claims.sid === 'string' &&
    SESSION_ID.test(claims.sid) &&
    typeof claims.exp === 'number'
  );
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** A fresh access and refresh token for one login; only the refresh token's hash is stored. */
  issue(userId: number, sessionId: string): IssuedTokens {
    const { accessTtl, refreshTtl } = this.config.jwt;
    const sub = String(userId);
    const accessToken = this.sign({ sub, sid: sessionId, typ: 'access' }, accessTtl);
    // jti makes every refresh token unique, even two issued for one login in the same second.
    const refreshToken = this.sign(
      { sub, sid: sessionId, typ: 'refresh', jti: randomUUID() },
      refreshTtl,
    );
    return {
      accessToken,
      refreshToken,
      refreshHash: hashToken(refreshToken),
      refreshExpiresAt: new Date(Date.now() + refreshTtl * 1000),
    };
  }

  /**
   * The claims of a well-signed refresh token, or null for anything else. Signed with the
   * current secret or, after a rotation, the previous one (JWT_SECRET_PREVIOUS).
   */
  verifyRefresh(token: string, options: { ignoreExpiration?: boolean } = {}): TokenClaims | null {
    const key = this.keys.keyFor(token);
    if (!key) return null;
    try {
      const claims = this.jwt.verify<TokenClaims>(token, {
        secret: key.secret,
        algorithms: [JWT_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_ISSUER,
        ignoreExpiration: options.ignoreExpiration ?? false,
      });
      return isTokenOf(claims, 'refresh') ? claims : null;
    } catch {
      return null;
    }
  }

  private sign(claims: Omit<TokenClaims, 'exp'>, ttlSeconds: number): string {
    return this.jwt.sign(claims, {
      secret: this.keys.signing.secret,
      keyid: this.keys.signing.kid,
      algorithm: JWT_ALGORITHM,
      expiresIn: ttlSeconds,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_ISSUER,
    });
  }
}
