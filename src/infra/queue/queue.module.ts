import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { RedisClient } from '../redis/redis.factory.js';
import { slotGroup } from '../redis/redis-keys.js';
import { QUEUE_REDIS } from '../redis/redis.tokens.js';
import { BlockingWorker } from './blocking-worker.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxRepository } from './outbox.repository.js';
import { Outbox } from './outbox.js';
import { QueueErrors } from './queue-errors.js';
import { OutboxMetrics } from './outbox-metrics.js';
import { QueueMetrics } from './queue-metrics.js';
import { QUEUES } from './queues.js';

const DAY = 24 * 3600;

BullModule.workerClass = BlockingWorker;

/**
 * BullMQ on the service's Redis (keys under {<REDIS_PREFIX>:bull}), its queues, and the
 * outbox that feeds them. Producers share the fail-fast queue connection, because the outbox
 * retries for them; workers make a blocking copy of it, which waits through Redis outages.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG, QUEUE_REDIS],
      useFactory: (config: AppConfig, connection: RedisClient) => ({
        // One hash tag for every queue key, so BullMQ's scripts work on a Redis Cluster.
        prefix: slotGroup(config.redis.prefix, 'bull'),
        connection,
      }),
    }),
    BullModule.registerQueueAsync(
      ...Object.values(QUEUES).map((name) => ({
        name,
        inject: [APP_CONFIG, QUEUE_REDIS],
        useFactory: (config: AppConfig, connection: RedisClient) => ({
          connection,
          defaultJobOptions: {
            attempts: config.jobs.attempts,
            backoff: { type: 'exponential', delay: config.jobs.backoffMs },
            removeOnComplete: { age: DAY, count: 10_000 },
            // Failed jobs stay for a week, for the dashboard and for inspection.
            removeOnFail: { age: 7 * DAY },
          },
        }),
      })),
    ),
  ],
  providers: [OutboxRepository, OutboxRelay, Outbox, QueueErrors, QueueMetrics, OutboxMetrics],
  exports: [BullModule, Outbox, OutboxRelay, OutboxRepository],
})
export class QueueModule {}
