import type { AuthUser } from '../decorators/current-user.decorator.js';

/** What a verified access token says: its user and the login (session) it belongs to. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
}

/**
 * Turns a verified access token into the caller, checking the token's login is live and its
 * user active; throws a DomainError (401, 403) otherwise. JwtAuthGuard depends on this alone;
 * the auth module provides it under SESSION_AUTHENTICATOR.
 */
export interface SessionAuthenticator {
  authenticate(claims: AccessTokenClaims): Promise<AuthUser>;
}

export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');
