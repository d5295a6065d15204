import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Tx } from '../../infra/database/database.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { OrderHooks, type ExpiryVerdict, type OrderHook } from '../orders/index.js';
import type { OrderTransition } from '../orders/index.js';
import type { OrderRow } from '../orders/index.js';
import { Database } from '../../infra/database/database.js';
import { closeRequested } from './payment-events.js';
import { PaymentLookups } from './payment-lookups.js';
import { PaymentSettlement } from './payment-settlement.service.js';
import { PaymentsRepository } from './payments.repository.js';

/** The transitions after which an order's pending payments can no longer pay it. */
const CLOSES_PENDING_PAYMENTS = new Set<OrderTransition>([
  'cancel',
  'expire',
  'pay',
  'confirm_payment',
]);

/**
 * What payments add to an order's transitions: cancelling a paid order refunds its payment
 * (in the cancel's own transaction: refund_pending, refund queued); an order that ends unpaid
 * (cancelled or expired) or is paid has its other pending payments closed at their providers
 * (queued in the same transaction), so the customer cannot pay it twice; and the payment
 * timeout asks the provider about a pending payment before it cancels the order.
 */
@Injectable()
export class PaymentOrderHook implements OrderHook, OnModuleInit {
  private readonly logger = new Logger(PaymentOrderHook.name);

  constructor(
    private readonly hooks: OrderHooks,
    private readonly settlement: PaymentSettlement,
    private readonly lookups: PaymentLookups,
    private readonly payments: PaymentsRepository,
    private readonly database: Database,
  ) {}

  onModuleInit(): void {
    this.hooks.add(this);
  }

  async transitioned(tx: Tx, transition: OrderTransition, order: OrderRow): Promise<OutboxEvent[]> {
    if (!CLOSES_PENDING_PAYMENTS.has(transition)) return [];
    const ending = transition === 'cancel' || transition === 'expire';
    if (ending && order.paid_at !== null) return this.settlement.refundOnCancel(tx, order.id);
    // Paid: the payment that paid it is still pending here too; its job finds it succeeded.
    return (await this.payments.ofOrder(tx, order.id, ['pending'])).map(closeRequested);
  }

  /**
   * The order's pending payments, looked up at their providers: a success settles it (and so
   * pays the order), and the order is kept. A provider that does not answer leaves the order
   * to a later sweep rather than cancelling what may have been paid.
   */
  async beforeExpiry(order: OrderRow): Promise<ExpiryVerdict> {
    const pending = await this.payments.ofOrder(this.database.pool, order.id, ['pending']);
    for (const payment of pending) {
      try {
        const outcome = await this.lookups.settleFromProvider(payment);
        if (outcome === 'succeeded') return 'paid';
      } catch (error) {
        this.logger.warn(
          `order ${order.id} not expired yet: payment ${payment.id} could not be looked up (${(error as Error).message})`,
        );
        return 'undecided';
      }
    }
    return 'expire';
  }
}
