import { Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import {
  conflict,
  DomainError,
  forbidden,
  notFound,
  validationFailed,
} from '../../common/errors/domain-error.js';
import { toCents } from '../../common/money.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database, type Tx } from '../../infra/database/database.js';
import type { OrderResponseDto } from '../orders/index.js';
import { permission, type Actor } from '../orders/index.js';
import { OrderTransitionsService } from '../orders/index.js';
import type { OrderRow } from '../orders/index.js';
import { PaymentResponseDto } from './dto/payment-response.dto.js';
import { newPaymentId } from './payment-id.js';
import { providerPaymentOf } from './payment-lookups.js';
import type { PaymentProvider } from './payment-provider.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentSettlement } from './payment-settlement.service.js';
import { PAYMENT_STATE_MACHINE } from './payment-state-machine.js';
import { PaymentsRepository, type PaymentRow } from './payments.repository.js';

export interface StartedPayment {
  payment: PaymentResponseDto;
  /** False when a payment of this order with this provider was pending already (answered again). */
  created: boolean;
}

const actorOf = (user: AuthUser): Actor => ({
  kind: 'user',
  id: user.id,
  role: user.role,
  email: user.email,
});

/** The fake provider's name: POST /api/orders/:id/pay is its instant payment. */
const INSTANT = 'fake';

const CREATOR_POLL_MS = 50;
/** What a repeated call keeps of its request's time to answer, once it stops waiting. */
const CREATOR_WAIT_MARGIN_MS = 2_000;

const providerUnavailable = (provider: string): DomainError =>
  new DomainError('unavailable', `The payment provider ${provider} is unavailable; retry later`);

/** Starting payments and reading them; what providers report is PaymentSettlement's. */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly database: Database,
    private readonly payments: PaymentsRepository,
    private readonly providers: PaymentProviders,
    private readonly orders: OrderTransitionsService,
    private readonly settlement: PaymentSettlement,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * A payment of a pending order (owner only, before its deadline) through an enabled provider.
   * One pending payment per order and provider, under any concurrency (a partial unique index):
   * a second call answers the first payment again. It is made at the provider with an
   * idempotency key derived from its id, so concurrent or retried calls make one charge.
   */
  async start(caller: AuthUser, orderId: number, providerName: string): Promise<StartedPayment> {
    const provider = this.enabled(providerName);
    const order = await this.payableOrder(caller, orderId);
    let payment: PaymentRow | null = null;
    let created = false;
    while (!payment) {
      payment = await this.payments.insertPending(this.database.pool, {
        id: newPaymentId(),
        orderId: order.id,
        provider: provider.name,
        amountMinor: toCents(order.total_amount),
        currency: this.config.payments.currency,
      });
      created = payment !== null;
      // Null: one is pending already (or was settled in between: then insert again).
      payment ??= await this.payments.findPending(this.database.pool, order.id, provider.name);
    }
    if (created) this.settlement.count(provider.name, 'pending');
    if (payment.provider_reference === null && !created)
      payment = await this.madeByItsCreator(payment);
    if (payment.provider_reference === null)
      payment = await this.makeAtProvider(provider, payment, created);
    // The order may have been cancelled or paid while the provider made the payment. Its
    // pending payments were queued for closing then (PaymentOrderHook): this one is closed at
    // the provider once its reference is stored; the caller must not be given it to pay.
    await this.payableOrder(caller, orderId);
    return { payment: PaymentResponseDto.from(payment), created };
  }

  /**
   * A pending payment another call created and is making at the provider: its row once that
   * call has stored the provider's answer. Calling the provider too would only race it with
   * the same idempotency key (Stripe answers 409 until the first call ends). A creator that
   * failed at the provider marked the payment failed: this call is a 503 too. One that never
   * finished (its process died) leaves the row as it was: it is made here after the wait.
   */
  private async madeByItsCreator(payment: PaymentRow): Promise<PaymentRow> {
    // As long as its own request may take, less the time to make the payment itself after all.
    const waitMs = Math.max(1000, this.config.http.requestTimeoutMs - CREATOR_WAIT_MARGIN_MS);
    const deadline = Date.now() + waitMs;
    let current: PaymentRow | null = payment;
    while (current?.status === 'pending' && current.provider_reference === null) {
      if (Date.now() >= deadline) return current;
      await new Promise((resolve) => setTimeout(resolve, CREATOR_POLL_MS));
      current = await this.payments.findById(this.database.pool, payment.id);
    }
    if (current?.provider_reference == null) throw providerUnavailable(payment.provider);
    return current;
  }

  /** The payments of an order, newest first: its owner's, or any order's for an admin. */
  async list(caller: AuthUser, orderId: number): Promise<PaymentResponseDto[]> {
    const order = await this.orders.find(orderId);
    if (!order || (order.user_id !== caller.id && caller.role !== 'admin')) throw notFound('Order');
    const rows = await this.payments.listForOrder(this.database.pool, orderId);
    return rows.map((row) => PaymentResponseDto.from(row));
  }

  /**
   * The fake provider's instant payment (POST /api/orders/:id/pay): the order's `pay`
   * transition, with its payment recorded as succeeded in the same transaction. 403 when the
   * fake provider is not enabled.
   */
  async payInstantly(caller: AuthUser, orderId: number): Promise<OrderResponseDto> {
    if (!this.providers.get(INSTANT)) {
      throw forbidden(
        'Instant payment is off (the fake provider is not enabled): pay through POST /api/orders/{id}/payments',
      );
    }
    const recorded: PaymentRow[] = [];
    const order = await this.orders.transition(
      actorOf(caller),
      orderId,
      'pay',
      async (tx, paid) => {
        const payment = await this.recordInstant(tx, paid);
        if (payment) recorded.push(payment);
      },
    );
    if (recorded.length > 0) this.settlement.count(INSTANT, 'succeeded');
    return order;
  }

  /** The order's pending fake payment, or a new one, succeeded: the slow path's rows, at once. */
  private async recordInstant(tx: Tx, order: OrderRow): Promise<PaymentRow | null> {
    const payment =
      (await this.payments.insertPending(tx, {
        id: newPaymentId(),
        orderId: order.id,
        provider: INSTANT,
        amountMinor: toCents(order.total_amount),
        currency: this.config.payments.currency,
      })) ?? (await this.payments.findPending(tx, order.id, INSTANT));
    if (!payment) return null;
    if (payment.provider_reference === null) {
      await this.payments.setCreated(tx, payment.id, `fake_${payment.id}`, null);
    }
    return this.payments.transition(tx, payment.id, PAYMENT_STATE_MACHINE.succeed);
  }

  private enabled(name: string): PaymentProvider {
    const provider = this.providers.get(name);
    if (!provider) {
      throw validationFailed({
        provider: `provider must be one of the enabled payment providers: ${this.providers.names.join(', ')}`,
      });
    }
    return provider;
  }

  private async payableOrder(caller: AuthUser, orderId: number): Promise<OrderRow> {
    const order = await this.orders.find(orderId);
    if (!order) throw notFound('Order');
    const allowed = permission('pay', actorOf(caller), order.user_id);
    if (allowed === 'hidden') throw notFound('Order');
    if (allowed === 'forbidden') throw forbidden('Only the owner may pay this order');
    if (order.status !== 'pending') throw conflict(`Order is ${order.status} and cannot be paid`);
    if (order.expires_at.getTime() <= Date.now()) {
      throw conflict('Order is past its payment deadline and cannot be paid');
    }
    return order;
  }

  /**
   * The payment made at its provider, and what the provider answered stored with it. A
   * provider that fails (down, its circuit open) is a 503; a payment this call created is then
   * marked failed, so the next call starts afresh with a new id.
   */
  private async makeAtProvider(
    provider: PaymentProvider,
    payment: PaymentRow,
    created: boolean,
  ): Promise<PaymentRow> {
    const base = this.config.payments.publicUrl;
    try {
      const made = await provider.create({
        ...providerPaymentOf(payment),
        notifyUrl: `${base}/api/payments/webhooks/${provider.name}`,
        returnUrl: `${base}/orders/${payment.order_id}`,
        description: `Order ${payment.order_id}`,
      });
      const stored = await this.payments.setCreated(
        this.database.pool,
        payment.id,
        made.providerReference,
        made.clientAction,
      );
      return stored ?? payment;
    } catch (error) {
      this.logger.warn(
        `payment ${payment.id} not made at ${provider.name}: ${(error as Error).message}`,
      );
      if (created) await this.settlement.settle(payment, 'failed', null);
      throw providerUnavailable(provider.name);
    }
  }
}
