import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthCheckAttempt } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { InjectRedis } from './redis.tokens.js';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @InjectRedis() private readonly redis: Redis,
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
