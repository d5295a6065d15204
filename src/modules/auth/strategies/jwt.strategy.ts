import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { unauthorized } from '../../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../../config/app-config.js';
import { JWT_ALGORITHM, TOKEN_ISSUER, type TokenClaims } from '../token.service.js';

/**
 * Verifies the access token itself: HS256 with our secret only (alg none and every other
 * algorithm are refused), our issuer and audience, not expired, typ "access". It deliberately
 * holds no database access: passport keeps strategies in a process-wide registry, so the live
 * session check happens in JwtAuthGuard, which belongs to its own app.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@InjectConfig() config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to parse it
      // as a public key on every verification. It accepts KeyObjects; the typings predate them.
      secretOrKey: createSecretKey(Buffer.from(config.jwt.secret)) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_ISSUER,
      ignoreExpiration: false,
    });
  }

  validate(claims: TokenClaims): TokenClaims {
    if (claims.typ !== 'access' || typeof claims.sid !== 'string')
      throw unauthorized('Invalid access token');
    return claims;
  }
}
