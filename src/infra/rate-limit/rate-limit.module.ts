import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { Cluster } from 'ioredis';
import {
  PER_USER_LIMIT_NAME,
  perUserRateLimitApplies,
  perUserTracker,
  strictRateLimitApplies,
} from '../../common/decorators/rate-limit.decorator.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { RedisClient } from '../redis/redis.factory.js';
import { REDIS } from '../redis/redis.tokens.js';
import { FailOpenThrottlerStorage } from './fail-open-storage.js';
import { rateLimitKey } from './rate-limit-key.js';

export const TOO_MANY_REQUESTS =
  'Too many requests; retry after the number of seconds in Retry-After';

/**
 * Limits counted in Redis (one Lua round trip per limit) so they hold across replicas, per
 * client IP: `default` on every route, `strict` on top for routes marked @StrictRateLimit();
 * and per signed-in customer, `user` on routes marked @PerUserRateLimit() (a flash sale's
 * purchase). Keys are per tracker and limit, not per route.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        throttlers: [
          {
            name: 'default',
            limit: config.rateLimit.requests,
            ttl: config.rateLimit.window * 1000,
          },
          {
            name: 'strict',
            limit: config.rateLimit.authRequests,
            ttl: config.rateLimit.authWindow * 1000,
            skipIf: (context) => !strictRateLimitApplies(context),
          },
          {
            name: PER_USER_LIMIT_NAME,
            limit: config.flashSales.rateLimit,
            ttl: config.flashSales.rateWindow * 1000,
            skipIf: (context) => !perUserRateLimitApplies(context),
            getTracker: (req) => perUserTracker(req as unknown as Request) ?? 'anonymous',
          },
        ],
        storage: new FailOpenThrottlerStorage(
          // Its script touches two keys in one hash tag ({key:limit}:hits, :blocked): one slot.
          redis instanceof Cluster
            ? new ThrottlerStorageRedisService(redis)
            : new ThrottlerStorageRedisService(redis),
        ),
        generateKey: (_context, tracker, name) => rateLimitKey(config.redis.prefix, name, tracker),
        errorMessage: TOO_MANY_REQUESTS,
      }),
    }),
  ],
})
export class RateLimitModule {}
