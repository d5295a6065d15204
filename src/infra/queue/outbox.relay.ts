import { InjectQueue } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { withTimeout } from '../cache/with-timeout.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { OutboxEvent } from './outbox-events.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';
import { JOBS, QUEUES } from './queues.js';

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
    private readonly transactions: TransactionRunner,
    private readonly outbox: OutboxRepository,
    @InjectQueue(QUEUES.email) private readonly emailQueue: Queue,
    @InjectQueue(QUEUES.orders) private readonly ordersQueue: Queue,
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
    return this.transactions.run(async (tx) => {
      const rows = await this.outbox.claimBatch(tx, BATCH);
      const published: number[] = [];
      let failure: Error | undefined;
      for (const row of rows) {
        try {
          await withTimeout(this.publish(row), PUBLISH_TIMEOUT_MS);
          published.push(row.id);
        } catch (error) {
          failure = error as Error;
          await this.outbox.markFailed(tx, row.id, failure.message);
          break;
        }
      }
      await this.outbox.markPublished(tx, published);
      if (failure) throw failure;
      return rows.length;
    });
  }

  private async publish({ id, payload }: OutboxRow): Promise<void> {
    const event: OutboxEvent = payload;
    switch (event.kind) {
      case 'mail':
        await this.emailQueue.add(JOBS.sendMail, event.job, { jobId: `outbox-${id}` });
        return;
      case 'order_timeout':
        await this.ordersQueue.add(JOBS.orderTimeout, event.job, {
          jobId: `order-timeout-${event.job.orderId}`,
          delay: Math.max(0, Date.parse(event.run_at) - Date.now()),
        });
        return;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }
}
