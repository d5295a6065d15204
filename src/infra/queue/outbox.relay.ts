import { InjectQueue } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { withTimeout } from '../../common/async/with-timeout.js';
import { ResponseCache } from '../cache/response-cache.js';
import { Database } from '../database/database.js';
import { ReplicaAck } from '../redis/replica-ack.js';
import type { OutboxEvent } from './outbox-events.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';
import { JOBS, QUEUES } from './queues.js';

type BulkJob = Parameters<Queue['addBulk']>[0][number];

const BATCH = 100;
const POLL_MS = 1000;
const PUBLISH_TIMEOUT_MS = 2000;

/**
 * Moves committed outbox rows to the queues: at once after a commit (kick) and every second,
 * which catches up after a Redis outage. Job ids derive from the row (or the order), so a row
 * relayed twice after a crash does not make two jobs while the first still exists; the
 * processors are idempotent for the rest.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private failing = false;

  constructor(
    private readonly database: Database,
    private readonly outbox: OutboxRepository,
    @InjectQueue(QUEUES.email) private readonly emailQueue: Queue,
    @InjectQueue(QUEUES.orders) private readonly ordersQueue: Queue,
    @InjectQueue(QUEUES.payments) private readonly paymentsQueue: Queue,
    private readonly replicaAck: ReplicaAck,
    private readonly cache: ResponseCache,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.kick();
    }, POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Relays now; concurrent kicks coalesce into one more pass. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves once everything committed so far has been relayed (or a pass failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while ((await this.relayBatch()) === BATCH) {
        // a full batch: there may be more
      }
      if (this.failing) this.logger.log('Outbox relay caught up');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`Outbox relay paused: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  private relayBatch(): Promise<number> {
    return this.database.transaction(async (tx) => {
      const rows = await this.outbox.claimBatch(tx, BATCH);
      if (rows.length === 0) return 0;
      const ids = rows.map((row) => row.id);
      try {
        await withTimeout(this.publish(rows), PUBLISH_TIMEOUT_MS);
      } catch (error) {
        await this.outbox.markFailed(tx, ids, (error as Error).message);
        throw error;
      }
      await this.outbox.markPublished(tx, ids);
      return rows.length;
    });
  }

  /**
   * One bulk add per queue: a batch costs two Redis round trips (three on Sentinel), not one per
   * row. Lost cache invalidations, however many, are one change of the cache's epoch, unless
   * it has changed since the first of them (the process that lost them changed it already).
   */
  private async publish(rows: readonly OutboxRow[]): Promise<void> {
    const mails: BulkJob[] = [];
    const timeouts: BulkJob[] = [];
    const payments: BulkJob[] = [];
    let firstLoss: number | undefined;
    for (const { id, payload } of rows) {
      const event: OutboxEvent = payload;
      switch (event.kind) {
        case 'mail':
          mails.push({ name: JOBS.sendMail, data: event.job, opts: { jobId: `outbox-${id}` } });
          break;
        case 'order_timeout':
          timeouts.push({
            name: JOBS.orderTimeout,
            data: event.job,
            opts: {
              jobId: `order-timeout-${event.job.orderId}`,
              delay: Math.max(0, Date.parse(event.run_at) - Date.now()),
            },
          });
          break;
        case 'payment_refund':
        case 'payment_close':
          payments.push({
            name: event.kind === 'payment_refund' ? JOBS.paymentRefund : JOBS.paymentClose,
            data: event.job,
            opts: { jobId: `outbox-${id}` },
          });
          break;
        case 'cache_epoch':
          firstLoss = Math.min(firstLoss ?? event.lost_at, event.lost_at);
          break;
      }
    }
    await Promise.all([
      firstLoss === undefined ? undefined : this.cache.changeEpochAfterLoss(firstLoss),
      mails.length > 0 ? this.emailQueue.addBulk(mails) : undefined,
      timeouts.length > 0 ? this.ordersQueue.addBulk(timeouts) : undefined,
      payments.length > 0 ? this.paymentsQueue.addBulk(payments) : undefined,
    ]);
    // The rows are marked published next and never relayed again: the jobs must survive a
    // failover first.
    await this.replicaAck.queueWrites();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }
}
