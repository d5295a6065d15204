import { applyDecorators, SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

export const STRICT_RATE_LIMIT = 'rate-limit:strict';

/**
 * The stricter limit (AUTH_RATE_LIMIT_*) on top of the general one: for routes that guess
 * passwords or tokens, or send mail.
 */
export const StrictRateLimit = (): MethodDecorator => SetMetadata(STRICT_RATE_LIMIT, true);

/** Probes, metrics and docs are never limited. */
export const NoRateLimit = (): ClassDecorator & MethodDecorator =>
  applyDecorators(SkipThrottle({ default: true, strict: true }));
