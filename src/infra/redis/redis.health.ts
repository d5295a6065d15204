import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthCheckAttempt } from '@nestjs/terminus';
import type { RedisClient } from './redis.factory.js';
import { InjectRedis } from './redis.tokens.js';

/** PING through the service's own client: the master of a Sentinel group, a node of a cluster. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  ping(key: 'redis', timeoutMs: number): HealthCheckAttempt<'redis'> {
    return this.indicators
      .check(key)
      .attempt(async () => {
        await this.redis.ping();
      })
      .withTimeout(timeoutMs);
  }
}
