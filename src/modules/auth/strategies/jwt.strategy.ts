import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { unauthorized } from '../../../common/errors/domain-error.js';
import { JwtKeys } from '../jwt-keys.js';
import { VerifiedTokens } from './verified-tokens.js';
import { isTokenOf, JWT_ALGORITHM, TOKEN_ISSUER, type TokenClaims } from '../token.service.js';

/**
 * `Authorization: Bearer <token>` and nothing else (RFC 6750's b64token): passport-jwt's own
 * extractor took the first word after the scheme and ignored whatever followed it.
 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const bearerToken = (req: IncomingMessage): string | null =>
  BEARER.exec(req.headers.authorization ?? '')?.[1] ?? null;

/**
 * Verifies the access token itself: HS256 with one of our keys only (the one its kid names: the
 * current secret, or the previous one during a rotation; alg none and every other algorithm are
 * refused), our issuer and audience, not expired, and the claims we sign (isTokenOf: typ
 * "access", a user id, a UUID session id, an expiry). It deliberately holds no database access:
 * passport keeps strategies in a process-wide registry, so the live session check happens in
 * JwtAuthGuard, which belongs to its own app. A token it verified is remembered until it expires
 * (VerifiedTokens), so a client's every request does not repeat the same signature check.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokens();

  constructor(keys: JwtKeys) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: (_request: unknown, token: string, done) => {
        const key = keys.keyFor(token);
        // jsonwebtoken accepts KeyObjects; the typings predate them.
        if (key) done(null, key.key as unknown as Buffer);
        else done(new Error('token signed with an unknown key'));
      },
      algorithms: [JWT_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_ISSUER,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /** A token verified before and not yet expired is accepted again without its signature check. */
  override authenticate(req: Request, options?: unknown): void {
    const token = bearerToken(req);
    const claims = token === null ? undefined : this.verified.claimsOf(token);
    if (claims === undefined) super.authenticate(req, options);
    else this.success(claims);
  }

  validate(req: IncomingMessage, claims: TokenClaims): TokenClaims {
    if (!isTokenOf(claims, 'access')) throw unauthorized('Invalid access token');
    const token = bearerToken(req);
    if (token !== null) this.verified.remember(token, claims);
    return claims;
  }
}
