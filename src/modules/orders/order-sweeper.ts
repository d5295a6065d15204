import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../../infra/database/database.js';
import { OutboxRepository } from '../../infra/queue/outbox.repository.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { OrderTransitionsService } from './order-transitions.service.js';

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
    private readonly orders: OrderTransitionsService,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly outbox: OutboxRepository,
    private readonly database: Database,
  ) {}

  async sweep(): Promise<SweepResult> {
    let expired = 0;
    for (;;) {
      const ids = await this.orders.overdue(BATCH);
      for (const id of ids) if ((await this.orders.expire(id)) === 'cancelled') expired += 1;
      if (ids.length < BATCH) break;
    }
    const idempotencyKeysDeleted = await this.idempotencyKeys.deleteExpired(this.database.pool);
    const outboxRowsDeleted = await this.outbox.deletePublished(this.database.pool);
    if (expired > 0) this.logger.log(`Sweep cancelled ${expired} overdue orders`);
    return {
      expired,
      idempotencyKeysDeleted,
      outboxRowsDeleted,
    };
  }
}
