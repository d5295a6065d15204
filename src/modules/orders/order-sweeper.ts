import { Injectable, Logger } from '@nestjs/common';
import { TransactionRunner } from '../../infra/database/transaction-runner.js';
import { OutboxRepository } from '../../infra/queue/outbox.repository.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { OrdersService } from './orders.service.js';

const BATCH = 200;

export interface SweepResult {
  expired: number;
  idempotencyKeysDeleted: number;
  outboxRowsDeleted: number;
}

/**
 * The periodic sweep: cancels every pending order past its deadline (so a lost or deleted
 * timeout job never leaves stock locked), then tidies expired idempotency keys and old
 * relayed outbox rows. Safe to run on several workers at once: each order's expiry is a
 * conditional update that only one of them wins.
 */
@Injectable()
export class OrderSweeper {
  private readonly logger = new Logger(OrderSweeper.name);

  constructor(
    private readonly orders: OrdersService,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly outbox: OutboxRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async sweep(): Promise<SweepResult> {
    let expired = 0;
    for (;;) {
      const ids = await this.orders.overdue(BATCH);
      for (const id of ids) if ((await this.orders.expire(id)) === 'cancelled') expired += 1;
      if (ids.length < BATCH) break;
    }
    const idempotencyKeysDeleted = await this.idempotencyKeys.deleteExpired();
    const outboxRowsDeleted = await this.outbox.deletePublished(this.transactions.manager);
    if (expired > 0) this.logger.log(`Sweep cancelled ${expired} overdue orders`);
    return { expired, idempotencyKeysDeleted, outboxRowsDeleted };
  }
}
