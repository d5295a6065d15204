import { Injectable } from '@nestjs/common';
import { Database } from '../../infra/database/database.js';
import type { PaymentRefundJob } from '../../infra/queue/queues.js';
import { refundKey } from './payment-events.js';
import { providerPaymentOf } from './payment-lookups.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentSettlement } from './payment-settlement.service.js';
import { PaymentsRepository } from './payments.repository.js';

/**
 * The `payment-refund` job: refunds a refund_pending payment in full at its provider, with the
 * payment's refund key, so however often the job (or a second one) runs, one refund is made.
 * A final answer marks it refunded (and mails the customer); a pending one waits for the
 * provider's notification or the reconciler. A failure retries with backoff; while the
 * provider's circuit is open the job waits for its next probe without spending an attempt.
 */
@Injectable()
export class PaymentRefundHandler {
  constructor(
    private readonly database: Database,
    private readonly payments: PaymentsRepository,
    private readonly providers: PaymentProviders,
    private readonly settlement: PaymentSettlement,
  ) {}

  async handle(job: PaymentRefundJob): Promise<string> {
    const payment = await this.payments.findById(this.database.pool, job.paymentId);
    if (payment?.status !== 'refund_pending') return 'nothing to refund';
    const provider = this.providers.get(payment.provider);
    if (!provider) throw new Error(`payment provider ${payment.provider} is not enabled`);
    const reference = payment.provider_reference;
    if (reference === null) throw new Error(`payment ${payment.id} has no provider reference`);
    const result = await provider.refund({
      payment: { ...providerPaymentOf(payment), providerReference: reference },
      amountMinor: payment.amount_minor,
      idempotencyKey: refundKey(payment),
    });
    if (result === 'pending') return 'refund pending at the provider';
    await this.settlement.settle(payment, 'refunded', null);
    return 'refunded';
  }
}
