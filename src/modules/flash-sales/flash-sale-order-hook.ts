import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Tx } from '../../infra/database/database.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import {
  OrderHooks,
  type ExpiryVerdict,
  type OrderHook,
  type OrderRow,
  type OrderTransition,
} from '../orders/index.js';
import { FlashSaleGate } from './flash-sale-gate.js';
import { FlashSalesRepository } from './flash-sales.repository.js';

/** The transitions that give an order's units back (to the product's stock, by the orders module). */
const GIVES_BACK: ReadonlySet<OrderTransition> = new Set(['cancel', 'expire']);

/**
 * What flash sales add to an order's transitions: a cancelled or expired sale order's units go
 * back to the sale while it has not been settled (and stay in the product's stock, where the
 * cancellation put them, after), in the cancellation's own transaction, and to the gate.
 */
@Injectable()
export class FlashSaleOrderHook implements OrderHook, OnModuleInit {
  private readonly logger = new Logger(FlashSaleOrderHook.name);

  constructor(
    private readonly hooks: OrderHooks,
    private readonly sales: FlashSalesRepository,
    private readonly gate: FlashSaleGate,
  ) {}

  onModuleInit(): void {
    this.hooks.add(this);
  }

  async transitioned(tx: Tx, transition: OrderTransition, order: OrderRow): Promise<OutboxEvent[]> {
    if (!GIVES_BACK.has(transition)) return [];
    const returned = await this.sales.giveBack(tx, order.id, order.user_id);
    if (returned?.toSale) {
      // Before the commit, and safe so: the cancellation holds the sale's row lock until then,
      // so a purchase the gate lets through on these units waits for it in PostgreSQL. Without
      // Redis the gate keeps fewer units than PostgreSQL (never more) until it is rebuilt.
      await this.gate
        .giveBack(returned.saleId, order.user_id, returned.units)
        .catch((error: unknown) => {
          this.logger.warn(
            `flash sale ${returned.saleId}: units of order ${order.id} not given back to the gate (${(error as Error).message})`,
          );
        });
    }
    return [];
  }

  beforeExpiry(): Promise<ExpiryVerdict> {
    return Promise.resolve('expire');
  }
}
