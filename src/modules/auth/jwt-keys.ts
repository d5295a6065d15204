import {
  createHash,
  createHmac,
  createSecretKey,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';

export interface JwtKey {
  /** Names the key in a token's header; derived from it, so it says nothing about the key. */
  readonly kid: string;
  readonly secret: string;
  /**
   * A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to parse it as a
   * public key on every verification.
   */
  readonly key: KeyObject;
}

/** A short hash of the secret under a label of its own: the same key always has the same kid. */
export const keyIdOf = (secret: string): string =>
  createHash('sha256').update(`shop jwt key id\u0000${secret}`).digest('base64url').slice(0, 16);

const keyOf = (secret: string): JwtKey => ({
  kid: keyIdOf(secret),
  secret,
  key: createSecretKey(Buffer.from(secret)),
});

/** Whether an HS256 token's signature is this key's, compared in constant time. */
function signedBy(token: string, key: JwtKey): boolean {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return false;
  const expected = createHmac('sha256', key.key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const headerKid = (token: string): string | undefined | null => {
  try {
    const header = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString(),
    ) as unknown;
    if (typeof header !== 'object' || header === null) return null;
    const kid = (header as { kid?: unknown }).kid;
    if (kid === undefined) return undefined;
    return typeof kid === 'string' ? kid : null;
  } catch {
    return null;
  }
};

/**
 * The keys of access and refresh tokens: JWT_SECRET signs (and its kid goes into every new
 * token's header); JWT_SECRET_PREVIOUS, when set, still verifies, so rotating the secret signs
 * nobody out. The algorithm, issuer, audience and expiry are checked by the verifiers as before.
 */
@Injectable()
export class JwtKeys {
  readonly signing: JwtKey;
  private readonly verifying: readonly JwtKey[];

  constructor(@InjectConfig() config: AppConfig) {
    this.signing = keyOf(config.jwt.secret);
    const previous = config.jwt.previousSecret;
    this.verifying =
      previous === undefined || previous === config.jwt.secret
        ? [this.signing]
        : [this.signing, keyOf(previous)];
  }

  /**
   * The key to verify a token with: the one its kid names, none for a kid that is not ours (the
   * token is refused), and for a token from before kids, the key whose signature it carries
   * (else the signing key, whose verification then fails as any bad signature does).
   */
  keyFor(token: string): JwtKey | undefined {
    const kid = headerKid(token);
    if (kid === null) return undefined;
    if (kid !== undefined) return this.verifying.find((key) => key.kid === kid);
    return this.verifying.find((key) => signedBy(token, key)) ?? this.signing;
  }
}
