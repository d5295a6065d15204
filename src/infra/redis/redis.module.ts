import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { createRedisClient } from './redis.factory.js';
import { QUEUE_REDIS, REDIS } from './redis.tokens.js';

const logger = new Logger('Redis');

/** A fail-fast client that says once when Redis goes away and once when it is back. */
const client = (token: symbol, name: string): Provider => ({
  provide: token,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): Redis => {
    const redis = createRedisClient({ url: config.redis.url, name });
    // Without a listener ioredis prints every failed reconnect; one line per state change is enough.
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) logger.warn(`${name}: Redis unavailable: ${error.message}`);
      down = true;
    });
    redis.on('ready', () => {
      if (down) logger.log(`${name}: Redis reachable again`);
      down = false;
    });
    return redis;
  },
});

@Global()
@Module({
  providers: [client(REDIS, 'shop-main'), client(QUEUE_REDIS, 'shop-queues')],
  exports: [REDIS, QUEUE_REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUE_REDIS) private readonly queueRedis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const redis of [this.redis, this.queueRedis]) {
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    }
  }
}
