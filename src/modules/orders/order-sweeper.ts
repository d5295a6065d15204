import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../../infra/database/database.js';
import { OutboxRepository } from '../../infra/queue/outbox.repository.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { HOLDING_STATUS } from './order-placement.js';
import { OrderPlacementRepository } from './order-placement.repository.js';
import { OrderTransitionsService } from './order-transitions.service.js';

const BATCH = 200;

export interface SweepResult {
  expired: number;
  idempotencyKeysDeleted: number;
  outboxRowsDeleted: number;
  /** Customers whose pending counters had drifted from their orders and were recounted. */
  holdsRecounted: number;
}

/**
 * The periodic sweep: cancels every pending order past its deadline (so a lost or deleted
 * timeout job never leaves stock locked), recounts customers whose pending counters drifted
 * from their orders (so a rolling update from a version that did not count never locks a
 * customer out for good), then tidies expired idempotency keys and old relayed outbox rows. Safe to run on several workers at once: each order's expiry is a
 * conditional update that only one of them wins.
 */
@Injectable()
export class OrderSweeper {
  private readonly logger = new Logger(OrderSweeper.name);

  constructor(
    private readonly orders: OrderTransitionsService,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly outbox: OutboxRepository,
    private readonly placements: OrderPlacementRepository,
    private readonly database: Database,
  ) {}

  async sweep(): Promise<SweepResult> {
    let expired = 0;
    for (;;) {
      const ids = await this.orders.overdue(BATCH);
      let settled = 0;
      for (const id of ids) {
        const outcome = await this.orders.expire(id);
        if (outcome === 'cancelled') expired += 1;
        if (outcome !== 'undecided' && outcome !== 'not yet due') settled += 1;
      }
      // A full batch that settled nothing (its providers did not answer) would come back
      // unchanged: leave it to the next sweep.
      if (ids.length < BATCH || settled === 0) break;
    }
    const drifted = await this.placements.drifted(this.database.pool, HOLDING_STATUS, BATCH);
    for (const userId of drifted) {
      await this.database.transaction((tx) => this.placements.recount(tx, userId, HOLDING_STATUS));
    }
    if (drifted.length > 0) this.logger.warn(`Sweep recounted ${drifted.length} customers' holds`);
    const idempotencyKeysDeleted = await this.idempotencyKeys.deleteExpired(this.database.pool);
    const outboxRowsDeleted = await this.outbox.deletePublished(this.database.pool);
    if (expired > 0) this.logger.log(`Sweep cancelled ${expired} overdue orders`);
    return {
      expired,
      holdsRecounted: drifted.length,
      idempotencyKeysDeleted,
      outboxRowsDeleted,
    };
  }
}
