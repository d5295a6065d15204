import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { closeRedisClient, createRedisClient, type RedisClient } from './redis.factory.js';
import { QUEUE_REDIS, REDIS } from './redis.tokens.js';
import { ReplicaAck } from './replica-ack.js';

const logger = new Logger('Redis');

/** A fail-fast client that says once when Redis goes away and once when it is back. */
const client = (token: symbol, name: string): Provider => ({
  provide: token,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): RedisClient => {
    const redis = createRedisClient(config.redis.connection, { name });
    // Without a listener ioredis prints every failed reconnect; one line per state change is enough.
    let down = false;
    const unavailable = (error: Error): void => {
      if (!down) logger.warn(`${name}: Redis unavailable: ${error.message}`);
      down = true;
    };
    redis.on('error', unavailable);
    // A cluster reports its nodes' connection errors apart.
    redis.on('node error', unavailable);
    redis.on('ready', () => {
      if (down) logger.log(`${name}: Redis reachable again`);
      down = false;
    });
    return redis;
  },
});

@Global()
@Module({
  providers: [client(REDIS, 'shop-main'), client(QUEUE_REDIS, 'shop-queues'), ReplicaAck],
  exports: [REDIS, QUEUE_REDIS, ReplicaAck],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(QUEUE_REDIS) private readonly queueRedis: RedisClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const redis of [this.redis, this.queueRedis]) await closeRedisClient(redis);
  }
}
