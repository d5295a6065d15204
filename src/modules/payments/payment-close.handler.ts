import { Injectable } from '@nestjs/common';
import { Database } from '../../infra/database/database.js';
import type { PaymentCloseJob } from '../../infra/queue/queues.js';
import { PaymentLookups, type LookupOutcome } from './payment-lookups.js';
import { PaymentsRepository } from './payments.repository.js';

/**
 * The `payment-close` job: a payment still pending when its order was cancelled, expired or
 * paid (by another payment) is settled from its provider at once rather than at the next
 * reconciliation. Still open there, it is cancelled at the provider, so the customer can no
 * longer pay it; paid meanwhile, that success is refunded (PaymentLookups). A failure retries
 * with backoff.
 */
@Injectable()
export class PaymentCloseHandler {
  constructor(
    private readonly database: Database,
    private readonly payments: PaymentsRepository,
    private readonly lookups: PaymentLookups,
  ) {}

  async handle(job: PaymentCloseJob): Promise<LookupOutcome | 'nothing to close'> {
    const payment = await this.payments.findById(this.database.pool, job.paymentId);
    if (payment?.status !== 'pending') return 'nothing to close';
    return this.lookups.settleFromProvider(payment);
  }
}
