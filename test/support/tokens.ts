import { JwtService } from '@nestjs/jwt';
import { TEST_JWT_SECRET } from './test-app.js';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export const decode = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

/** Tokens an attacker could craft, built from a real token's claims. */
export function forge(token: string) {
  const claims = decode(token);
  const { exp: _exp, iat: _iat, ...rest } = claims;
  const jwt = (secret: string) => new JwtService({ secret });
  return {
    algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    wrongKey: jwt('another-secret-that-is-long-enough-000000').sign(rest),
    expired: jwt(TEST_JWT_SECRET).sign({ ...rest, exp: Math.floor(Date.now() / 1000) - 60 }),
    hs512: jwt(TEST_JWT_SECRET).sign(rest, { algorithm: 'HS512' }),
    tampered: (() => {
      const [h, , s] = token.split('.');
      return `${h}.${b64({ ...claims, sub: '999999' })}.${s}`;
    })(),
    /** Correctly signed with our secret but with another type claim. */
    withType: (typ: string) => jwt(TEST_JWT_SECRET).sign({ ...rest, typ }),
    /** Correctly signed with our secret, with these claims changed (undefined: left out). */
    withClaims: (changes: Record<string, unknown>, options: { noExpiry?: boolean } = {}) => {
      const changed = Object.fromEntries(
        Object.entries({ ...rest, ...changes }).filter(([, value]) => value !== undefined),
      );
      return options.noExpiry
        ? jwt(TEST_JWT_SECRET).sign(changed)
        : jwt(TEST_JWT_SECRET).sign(changed, { expiresIn: 600 });
    },
  };
}
