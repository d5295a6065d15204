import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingMessage } from 'node:http';
import { Strategy } from 'passport-jwt';
import { unauthorized } from '../../../common/errors/domain-error.js';
import { JwtKeys } from '../jwt-keys.js';
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
 * JwtAuthGuard, which belongs to its own app.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
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
    });
  }

  validate(claims: TokenClaims): TokenClaims {
    if (!isTokenOf(claims, 'access')) throw unauthorized('Invalid access token');
    return claims;
  }
}
