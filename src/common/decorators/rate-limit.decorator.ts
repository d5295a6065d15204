import { applyDecorators, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';

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

/** Probes, metrics and docs are never limited. */
export const NoRateLimit = (): ClassDecorator & MethodDecorator =>
  applyDecorators(SkipThrottle({ default: true, strict: true }));
