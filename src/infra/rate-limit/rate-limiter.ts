import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { rateLimitKey, rateLimitTracker } from './rate-limit-key.js';

export const TOO_MANY_REQUESTS =
  'Too many requests; retry after the number of seconds in Retry-After';

const COUNTED = Symbol('default rate limit counted');

/** Whether RateLimiter already counted this request against the general limit. */
export const countedByRateLimiter = (res: Response): boolean =>
  (res.locals as Record<symbol, unknown>)[COUNTED] === true;

/**
 * The general limit, applied outside Nest's guards (by the cached-read fast path), with the same
 * storage, key and headers as RateLimitGuard so both count one budget per client.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async count(req: Request, res: Response): Promise<void> {
    const { requests: limit, window } = this.config.rateLimit;
    const ttl = window * 1000;
    const key = rateLimitKey(this.config.redis.prefix, 'default', rateLimitTracker(req));
    const record = await this.storage.increment(key, ttl, limit, ttl, 'default');
    if (record.isBlocked) {
      res.setHeader('Retry-After', Math.max(1, record.timeToBlockExpire));
      throw new DomainError('rate_limited', TOO_MANY_REQUESTS);
    }
    (res.locals as Record<symbol, unknown>)[COUNTED] = true;
    res.setHeader('X-RateLimit-Limit', limit);
    res.setHeader('X-RateLimit-Remaining', Math.max(0, limit - record.totalHits));
    res.setHeader('X-RateLimit-Reset', record.timeToExpire);
  }
}
