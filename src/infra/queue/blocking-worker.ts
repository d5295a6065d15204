import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { closeRedisClient, createBlockingCopy, type RedisClient } from '../redis/redis.factory.js';

/**
 * Queues share a fail-fast producer connection (no offline queue, one retry, short command
 * timeout). A worker needs the opposite: it blocks waiting for jobs and must wait through
 * outages. This Worker opens a blocking copy of the connection it is given (same topology,
 * credentials and TLS; installed as BullModule.workerClass) and closes it with the worker.
 */
export class BlockingWorker extends Worker {
  private readonly own: RedisClient;

  constructor(name: string, processor: Processor | string | URL | null, opts: WorkerOptions) {
    const given = opts.connection;
    if (!(given instanceof Redis || given instanceof Cluster)) {
      throw new Error('BlockingWorker needs the Redis client of the queue it works on');
    }
    const own = createBlockingCopy(given, 'shop-worker');
    super(name, processor ?? undefined, { ...opts, connection: own });
    this.own = own;
  }

  override async close(force = false): Promise<void> {
    try {
      await super.close(force);
    } finally {
      await closeRedisClient(this.own);
    }
  }
}
