import type { AuthUser } from '../decorators/current-user.decorator.js';

/** What a verified access token says: its user and the login (session) it belongs to. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
}

/**
 * The caller, and `keepCheck` when caching the check has something to write to Redis: called
 * once the request proved valid, so that one failing validation writes nothing (CONTRACT §5).
 */
export interface Authenticated {
  user: AuthUser;
  keepCheck: (() => Promise<void>) | null;
}

/**
 * Turns a verified access token into the caller, checking the token's login is live and its
 * user active; throws a DomainError (401, 403) otherwise. JwtAuthGuard depends on this alone;
 * the auth module provides it under SESSION_AUTHENTICATOR.
 */
export interface SessionAuthenticator {
  authenticate(claims: AccessTokenClaims): Promise<Authenticated>;
}

export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

/**
 * The cache tag of what checking a user's requests reads (their logins, role, status, email):
 * whoever changes any of it invalidates the tag once the change has committed, so the next
 * request is checked against PostgreSQL again.
 */
export const userAccessTag = (userId: number): string => `user-access:${userId}`;
