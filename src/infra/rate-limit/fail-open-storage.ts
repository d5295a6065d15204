import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { withTimeout } from '../../common/async/with-timeout.js';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Redis must count a hit within this, or the request goes through uncounted. */
export const RATE_LIMIT_TIMEOUT_MS = 150;

/**
 * Rate limiting protects the service; it must not take it down. When Redis cannot count a hit
 * in time the request is let through and the outage is logged once, not every request refused.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private failing = false;

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<StorageRecord> {
    try {
      const record = await withTimeout(
        this.inner.increment(key, ttl, limit, blockDuration, name),
        RATE_LIMIT_TIMEOUT_MS,
      );
      if (this.failing) this.logger.log('Rate limiting back in effect');
      this.failing = false;
      return record;
    } catch (error) {
      if (!this.failing)
        this.logger.warn(`Rate limiting suspended, Redis unavailable: ${(error as Error).message}`);
      this.failing = true;
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
  }
}
