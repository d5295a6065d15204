import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Database, type Tx } from '../../infra/database/database.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { OrderTransitionsService } from '../orders/index.js';
import type { OrderRow } from '../orders/index.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { refundNotice, refundRequested } from './payment-events.js';
import { PAYMENT_METRIC } from './payment-metrics.js';
import type { ProviderEventKind } from './payment-provider.js';
import {
  EVENT_TRANSITION,
  PAYMENT_STATE_MACHINE,
  type PaymentStatus,
  type PaymentTransition,
} from './payment-state-machine.js';
import { PaymentsRepository, type PaymentRow } from './payments.repository.js';

/** What settling one provider event did. */
export type Settlement =
  /** The event changed the payment (and, for a success, paid the order or queued its refund). */
  | 'applied'
  /** The event id was seen before: nothing changed. */
  | 'duplicate'
  /** Nothing to change: the payment had moved on (a failure after a success, a repeat). */
  | 'unchanged';

/** The order changed under a success being settled: the transaction is rolled back and redone. */
class SettlementRaced extends Error {}

const ATTEMPTS = 3;

/**
 * Applies what a provider says about a payment (a verified notification, a look-up, a refund's
 * answer), exactly once: the event id (when there is one) is recorded in the same transaction
 * that applies it, the payment changes by its state machine's conditional UPDATE, and a success
 * pays the order through the order state machine (`confirm_payment`) in that transaction too.
 * A success for an order that is no longer payable (cancelled, expired, paid by another
 * payment) is refunded in full instead: the payment goes refund_pending and its refund is
 * queued, the order is left as it is. Locks: the order's row, then its products' and its
 * customer's (the order transition), then the payment's, as cancelling a paid order takes them.
 */
@Injectable()
export class PaymentSettlement {
  private readonly logger = new Logger(PaymentSettlement.name);

  constructor(
    private readonly database: Database,
    private readonly payments: PaymentsRepository,
    private readonly orders: OrderTransitionsService,
    private readonly outbox: Outbox,
    @InjectMetric(PAYMENT_METRIC.payments) private readonly counted: Counter<'provider' | 'status'>,
  ) {}

  async settle(
    payment: PaymentRow,
    kind: ProviderEventKind,
    eventId: string | null,
  ): Promise<Settlement> {
    for (let attempt = 1; ; attempt++) {
      try {
        return kind === 'succeeded'
          ? await this.succeed(payment, eventId)
          : await this.change(payment, EVENT_TRANSITION[kind], kind, eventId);
      } catch (error) {
        if (!(error instanceof SettlementRaced) || attempt >= ATTEMPTS) throw error;
        payment = (await this.payments.findById(this.database.pool, payment.id)) ?? payment;
      }
    }
  }

  /** Counts a payment reaching a status (payments_total). */
  count(provider: string, status: PaymentStatus): void {
    this.counted.inc({ provider, status });
  }

  /**
   * The refund of a paid order's payments, inside the transaction that cancels the order: each
   * goes refund_pending, and its refund is queued with the order's other events.
   */
  async refundOnCancel(tx: Tx, orderId: number): Promise<OutboxEvent[]> {
    const refunds: OutboxEvent[] = [];
    for (const payment of await this.payments.ofOrder(tx, orderId, ['succeeded'])) {
      const changed = await this.payments.transition(
        tx,
        payment.id,
        PAYMENT_STATE_MACHINE.request_refund,
      );
      if (!changed) continue;
      this.count(changed.provider, changed.status);
      refunds.push(refundRequested(changed));
    }
    return refunds;
  }

  private async succeed(payment: PaymentRow, eventId: string | null): Promise<Settlement> {
    const order = await this.orderOf(payment);
    const email = await this.orders.ownerEmail(order);
    const actor = { kind: 'payment_provider', provider: payment.provider } as const;
    const canSucceed = PAYMENT_STATE_MACHINE.succeed.from.includes(payment.status);
    const result = await this.database.transaction(async (tx) => {
      if (eventId !== null && !(await this.record(tx, payment, eventId, 'succeeded'))) {
        return { settlement: 'duplicate' as const };
      }
      if (!canSucceed) return { settlement: 'unchanged' as const };
      const applied = await this.orders.applyWithin(tx, actor, order, 'confirm_payment', email);
      const succeeded = await this.payments.transition(
        tx,
        payment.id,
        PAYMENT_STATE_MACHINE.succeed,
      );
      if (!succeeded) {
        // Another event settled this payment since it was read: redo from a fresh read.
        if (applied) throw new SettlementRaced();
        return { settlement: 'unchanged' as const };
      }
      if (applied) return { settlement: 'applied' as const, applied };
      const refund = await this.payments.transition(
        tx,
        payment.id,
        PAYMENT_STATE_MACHINE.request_refund,
      );
      if (refund) await this.outbox.record(tx, [refundRequested(refund)]);
      return { settlement: 'applied' as const, refund };
    });
    if (result.settlement !== 'applied') return result.settlement;
    this.count(payment.provider, 'succeeded');
    if (result.applied) await this.orders.afterCommit(result.applied);
    if (result.refund) {
      this.count(payment.provider, 'refund_pending');
      this.logger.warn(
        `payment ${payment.id} succeeded for order ${order.id}, which was ${order.status}: refunding it`,
      );
      this.outbox.flush();
    }
    return 'applied';
  }

  /** A failure, a cancellation or a refund's confirmation: the payment alone changes. */
  private async change(
    payment: PaymentRow,
    transition: PaymentTransition,
    kind: ProviderEventKind,
    eventId: string | null,
  ): Promise<Settlement> {
    const rule = PAYMENT_STATE_MACHINE[transition];
    const refunded = transition === 'refund';
    // The refund notice's address, looked up before the transaction like every mail's.
    const email = refunded ? await this.orders.ownerEmail(await this.orderOf(payment)) : undefined;
    const changed = await this.database.transaction(async (tx) => {
      if (eventId !== null && !(await this.record(tx, payment, eventId, kind))) return 'duplicate';
      // Refunded at the provider (its dashboard) without the shop asking: asked and confirmed
      // at once, by the machine's own two steps. The order is left as it is.
      const requested =
        refunded &&
        payment.status === 'succeeded' &&
        (await this.payments.transition(tx, payment.id, PAYMENT_STATE_MACHINE.request_refund)) !==
          null;
      const row = await this.payments.transition(tx, payment.id, {
        ...rule,
        ...(refunded ? { refundedMinor: payment.amount_minor } : {}),
      });
      if (!row) return 'unchanged';
      if (email !== undefined) await this.outbox.record(tx, [refundNotice(row, email)]);
      return { row, requested };
    });
    if (typeof changed === 'string') return changed;
    if (changed.requested) this.count(payment.provider, 'refund_pending');
    this.count(payment.provider, changed.row.status);
    if (email !== undefined) this.outbox.flush();
    return 'applied';
  }

  private async orderOf(payment: PaymentRow): Promise<OrderRow> {
    const order = await this.orders.find(payment.order_id);
    if (!order) throw new Error(`order ${payment.order_id} of payment ${payment.id} is gone`);
    return order;
  }

  private record(tx: Tx, payment: PaymentRow, eventId: string, kind: string): Promise<boolean> {
    return this.payments.recordEvent(tx, {
      provider: payment.provider,
      eventId,
      paymentId: payment.id,
      kind,
    });
  }
}
