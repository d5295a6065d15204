import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../../infra/database/database.js';
import { OrderTransitionsService } from '../orders/index.js';
import { PaymentProviders } from './payment-providers.js';
import type { PaymentProvider, ProviderLookup, ProviderPayment } from './payment-provider.js';
import { PaymentSettlement } from './payment-settlement.service.js';
import { PaymentsRepository, type PaymentRow } from './payments.repository.js';

export const providerPaymentOf = (payment: PaymentRow): ProviderPayment => ({
  id: payment.id,
  orderId: payment.order_id,
  amountMinor: payment.amount_minor,
  currency: payment.currency,
  providerReference: payment.provider_reference,
});

/**
 * How long a payment with no provider reference yet may still be being made at its provider:
 * longer than a create call can take behind ResilientProvider (three tries of at most 10 s,
 * with their backoff). Past it, a creation that never stored its answer has ended.
 */
export const CREATION_WINDOW_MS = 60_000;

/** A payment whose creation at its provider may still be under way: look again later. */
export class CreationUnderWay extends Error {
  constructor(paymentId: string) {
    super(`payment ${paymentId} is still being made at its provider`);
  }
}

/**
 * What the provider said of an open payment, as far as the shop acted on it; `refund pending`:
 * a refund_pending payment the provider has not refunded yet (whatever its payment status).
 */
export type LookupOutcome =
  ProviderLookup['status'] | 'refunded' | 'refund pending' | 'mismatch' | 'not created';

/**
 * Settling an open payment from its provider's answer rather than a notification (a lost
 * webhook, the payment timeout's check): the same settlement as a notification, with no event
 * id. A payment still pending whose order can no longer be paid is cancelled at the provider,
 * so that it cannot succeed later (if it succeeded first, that success is settled: refunded).
 */
@Injectable()
export class PaymentLookups {
  private readonly logger = new Logger(PaymentLookups.name);

  constructor(
    private readonly providers: PaymentProviders,
    private readonly settlement: PaymentSettlement,
    private readonly payments: PaymentsRepository,
    private readonly orders: OrderTransitionsService,
    private readonly database: Database,
  ) {}

  /**
   * Throws when the provider cannot be asked (not enabled, down: CircuitOpenError), and while
   * the payment may still be being made there (CreationUnderWay): a job tries again later.
   */
  async settleFromProvider(payment: PaymentRow): Promise<LookupOutcome> {
    const provider = this.providerOf(payment);
    if (payment.provider_reference === null) {
      // Its creation may still be under way: calling it failed now would leave what the
      // provider is making open there, a moment later, with nobody to close it.
      if (Date.now() - payment.created_at.getTime() < CREATION_WINDOW_MS) {
        throw new CreationUnderWay(payment.id);
      }
      // Its creation never completed (the provider failed, or the process stopped midway):
      // the client was never given a way to pay it.
      await this.settlement.settle(payment, 'failed', null);
      return 'not created';
    }
    const found = await provider.lookup(providerPaymentOf(payment));
    if (found.amountMinor !== payment.amount_minor || found.currency !== payment.currency) {
      this.logger.error(
        `payment ${payment.id}: ${provider.name} reports ${found.amountMinor} ${found.currency}, expected ${payment.amount_minor} ${payment.currency}; left alone`,
      );
      return 'mismatch';
    }
    if (payment.status === 'refund_pending') {
      if (found.refunded) await this.settlement.settle(payment, 'refunded', null);
      return found.refunded ? 'refunded' : 'refund pending';
    }
    switch (found.status) {
      case 'succeeded':
      case 'failed':
      case 'cancelled':
        await this.settlement.settle(payment, found.status, null);
        return found.status;
      case 'pending':
        return this.cancelIfUnpayable(provider, payment);
    }
  }

  private async cancelIfUnpayable(
    provider: PaymentProvider,
    payment: PaymentRow,
  ): Promise<LookupOutcome> {
    const order = await this.orders.find(payment.order_id);
    if (order?.status === 'pending') return 'pending';
    const ended = await provider.cancel(providerPaymentOf(payment));
    await this.settlement.settle(payment, ended, null);
    return ended;
  }

  private providerOf(payment: PaymentRow): PaymentProvider {
    const provider = this.providers.get(payment.provider);
    if (!provider) throw new Error(`payment provider ${payment.provider} is not enabled`);
    return provider;
  }

  /** Marks the payment as looked at now, so the reconciler comes back after PAYMENT_RECONCILE_AFTER. */
  checked(payment: PaymentRow): Promise<void> {
    return this.payments.markChecked(this.database.pool, payment.id);
  }
}
