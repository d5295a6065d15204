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
  /** Let go of (see abandon): a close asked for afterwards, as by @nestjs/bullmq, is done. */
  private abandoned = false;

  constructor(name: string, processor: Processor | string | URL | null, opts: WorkerOptions) {
    const given = opts.connection;
    if (!(given instanceof Redis || given instanceof Cluster)) {
      throw new Error('BlockingWorker needs the Redis client of the queue it works on');
    }
    const own = createBlockingCopy(given, 'shop-worker');
    super(name, processor ?? undefined, { ...opts, connection: own });
    this.own = own;
  }

  /** Whether Redis answers this worker: without it no job can be finished or handed back. */
  get connected(): boolean {
    return this.own.status === 'ready';
  }

  /**
   * Lets go at once: drops the connections instead of waiting for the close under way, which
   * BullMQ memoizes (a close(true) after a close() only waits on the first) and which waits
   * for Redis to take its QUITs. A job still running loses its lock, and BullMQ's stalled-job
   * check hands it to another worker.
   */
  abandon(): void {
    this.abandoned = true;
    // Not awaited: BullMQ's disconnect waits for an 'end' that a connection retrying an
    // absent Redis never emits.
    super.disconnect().catch(() => undefined);
    this.own.disconnect();
  }

  override async close(force = false): Promise<void> {
    if (this.abandoned) return;
    try {
      await super.close(force);
    } finally {
      await closeRedisClient(this.own);
    }
  }
}
