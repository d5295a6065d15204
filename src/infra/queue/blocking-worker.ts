import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { withTimeout } from '../../common/async/with-timeout.js';
import { closeRedisClient, createBlockingCopy, type RedisClient } from '../redis/redis.factory.js';

/** Per app (its queue connection): when its workers must have let go, once it is stopping. */
const drainDeadlines = new WeakMap<RedisClient, number>();
/** Per app: whether Redis answered as it began to stop. */
const shutdownProbes = new WeakMap<RedisClient, Promise<boolean>>();

/** Whether Redis answers a PING within `timeoutMs`, on a connection of the probe's own. */
async function ping(client: RedisClient, timeoutMs: number): Promise<boolean> {
  const probe = client.duplicate();
  probe.on('error', () => undefined);
  try {
    await withTimeout(probe.ping(), timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Queues share a fail-fast producer connection (no offline queue, one retry, short command
 * timeout). A worker needs the opposite: it blocks waiting for jobs and must wait through
 * outages. This Worker opens a blocking copy of the connection it is given (same topology,
 * credentials and TLS; installed as BullModule.workerClass) and closes it with the worker.
 */
export class BlockingWorker extends Worker {
  private readonly own: RedisClient;
  private readonly given: RedisClient;
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
    this.given = given;
  }

  /**
   * When this worker must let go of its current job, `drainMs` after the first of its app's
   * workers was asked: one deadline for all of them, whose shutdown hooks may run in turn.
   */
  drainDeadline(drainMs: number): number {
    let deadline = drainDeadlines.get(this.given);
    if (deadline === undefined) {
      deadline = Date.now() + drainMs;
      drainDeadlines.set(this.given, deadline);
    }
    return deadline;
  }

  /**
   * Whether Redis answers this worker within `timeoutMs`: without it no job can be finished or
   * handed back. A connection that is not ready does not; for a ready one a connection of its
   * own is asked (a PING; the worker's may be blocked waiting for jobs), since a Redis that
   * hangs keeps its sockets open.
   */
  async answers(timeoutMs: number): Promise<boolean> {
    if (this.own.status !== 'ready') return false;
    // Asked once for all of the app's workers, which stop one after another.
    let answered = shutdownProbes.get(this.given);
    if (answered === undefined) {
      answered = ping(this.own, timeoutMs);
      shutdownProbes.set(this.given, answered);
    }
    return answered;
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
