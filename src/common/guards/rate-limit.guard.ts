import { Injectable, type ExecutionContext } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { rateLimitTracker } from '../../infra/rate-limit/rate-limit-key.js';
import { countedByRateLimiter } from '../../infra/rate-limit/rate-limiter.js';

/**
 * The throttler guard, with two changes: the client is counted by its IP as Express resolved it
 * (the same tracker as RateLimiter), a request the cached-read fast path already counted is
 * not counted twice, and every 429 carries a plain Retry-After (the library suffixes it with
 * the limit's name for any limit but the default one).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const res = request.context.switchToHttp().getResponse<Response>();
    if (request.throttler.name === 'default' && countedByRateLimiter(res)) {
      return Promise.resolve(true);
    }
    return super.handleRequest(request);
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(rateLimitTracker(req as unknown as Request));
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    context
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('Retry-After', Math.max(1, detail.timeToBlockExpire));
    return super.throwThrottlingException(context, detail);
  }
}
