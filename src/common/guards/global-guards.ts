import type { CanActivate, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BodyRefusalGuard } from './body-refusal.guard.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RolesGuard } from './roles.guard.js';

/**
 * The app's global guards, in the order they run: how often you ask, whether the body was
 * refused, who you are, what you may do. Limits come first so that a flood is turned away
 * before it costs a session lookup. Each is one instance, also run by the fast paths in front
 * of routes (CachedReads counts with the rate limit; EarlyRefusals runs them all).
 */
export const GLOBAL_GUARDS: readonly Type<CanActivate>[] = [
  RateLimitGuard,
  BodyRefusalGuard,
  JwtAuthGuard,
  RolesGuard,
];

/** The guards as providers, and as the app's guards (the same instances). */
export const GLOBAL_GUARD_PROVIDERS: Provider[] = [
  ...GLOBAL_GUARDS,
  ...GLOBAL_GUARDS.map((guard) => ({ provide: APP_GUARD, useExisting: guard })),
];
