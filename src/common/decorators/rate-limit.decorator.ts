import { applyDecorators, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';
import { PerUserRateLimitGuard } from '../guards/per-user-rate-limit.guard.js';

export const STRICT_RATE_LIMIT = 'rate-limit:strict';

export interface StrictRateLimitOptions {
  /** Only requests whose JSON body has this field are counted (e.g. a password being checked). */
  whenBodyHas?: string;
}

/**
 * The stricter limit (AUTH_RATE_LIMIT_*) on top of the general one: for routes that guess
 * passwords or tokens, or send mail.
 */
export const StrictRateLimit = (options: StrictRateLimitOptions = {}): MethodDecorator =>
  SetMetadata(STRICT_RATE_LIMIT, options);

/** Whether the strict limit counts this request (read by the throttler's skipIf). */
export function strictRateLimitApplies(context: ExecutionContext): boolean {
  const options = Reflect.getMetadata(STRICT_RATE_LIMIT, context.getHandler()) as
    StrictRateLimitOptions | undefined;
  if (!options) return false;
  if (options.whenBodyHas === undefined) return true;
  const body: unknown = context.switchToHttp().getRequest<Request>().body;
  return typeof body === 'object' && body !== null && Object.hasOwn(body, options.whenBodyHas);
}

export const PER_USER_RATE_LIMIT = 'rate-limit:per-user';
/** The throttler's name of the per-customer limit (FLASH_SALE_RATE_*), in its header suffix. */
export const PER_USER_LIMIT_NAME = 'user';

/**
 * The per-customer limit (FLASH_SALE_RATE_*) on top of the general one, for a route that a
 * crowd of signed-in customers hammers (a flash sale's purchase). It is counted once the caller
 * is known: the global guard runs before authentication and skips it, and the route's own guard
 * (after authentication) runs the same rate-limit guard again, which counts only this limit.
 */
export const PerUserRateLimit = (): MethodDecorator =>
  applyDecorators(SetMetadata(PER_USER_RATE_LIMIT, true), UseGuards(PerUserRateLimitGuard));

/** Whether the per-customer limit counts this request: its route says so and the caller is known. */
export function perUserRateLimitApplies(context: ExecutionContext): boolean {
  if (Reflect.getMetadata(PER_USER_RATE_LIMIT, context.getHandler()) !== true) return false;
  return perUserTracker(context.switchToHttp().getRequest<Request>()) !== undefined;
}

/** Who the per-customer limit counts: the authenticated user, once the JWT guard set them. */
export function perUserTracker(req: Request): string | undefined {
  const user = (req as Request & { user?: { id?: unknown } }).user;
  return typeof user?.id === 'number' ? `user:${user.id}` : undefined;
}

/** The OpenAPI extension that marks an operation no rate limit counts (see bootstrap/swagger). */
export const NOT_RATE_LIMITED = 'x-not-rate-limited';

/** Probes, metrics and docs are never limited. */
export const NoRateLimit = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    SkipThrottle({ default: true, strict: true }),
    ApiExtension(NOT_RATE_LIMITED, true),
  );
