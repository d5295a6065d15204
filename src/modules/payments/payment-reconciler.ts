import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database } from '../../infra/database/database.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { CircuitOpenError } from '../../infra/resilience/circuit.js';
import { refundRequested } from './payment-events.js';
import { PaymentLookups, type LookupOutcome } from './payment-lookups.js';
import { PaymentsRepository } from './payments.repository.js';

const BATCH = 100;

export interface ReconcileResult {
  looked_up: number;
  settled: number;
  refunds_requeued: number;
}

const SETTLED: readonly LookupOutcome[] = [
  'succeeded',
  'failed',
  'cancelled',
  'refunded',
  'not created',
];

/**
 * The repeatable `payments-reconcile` job: every payment still open (pending, or refund
 * pending) PAYMENT_RECONCILE_AFTER seconds after it was last looked at is looked up at its
 * provider and settled from the answer, so a lost notification never leaves an order unpaid
 * or a refund unconfirmed. A refund still not done is queued again (with the same refund key:
 * it cannot refund twice), so a refund whose job ran out of attempts is retried until the
 * provider takes it. A provider that is down is skipped until the next run.
 */
@Injectable()
export class PaymentReconciler {
  private readonly logger = new Logger(PaymentReconciler.name);

  constructor(
    private readonly database: Database,
    private readonly payments: PaymentsRepository,
    private readonly lookups: PaymentLookups,
    private readonly outbox: Outbox,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async reconcile(): Promise<ReconcileResult> {
    const stale = await this.payments.stale(
      this.database.pool,
      this.config.payments.reconcileAfter,
      BATCH,
    );
    const result: ReconcileResult = { looked_up: 0, settled: 0, refunds_requeued: 0 };
    const down = new Set<string>();
    for (const payment of stale) {
      if (down.has(payment.provider)) continue;
      try {
        const outcome = await this.lookups.settleFromProvider(payment);
        result.looked_up += 1;
        if (SETTLED.includes(outcome)) result.settled += 1;
        else if (payment.status === 'refund_pending') {
          await this.database.transaction((tx) =>
            this.outbox.record(tx, [refundRequested(payment)]),
          );
          this.outbox.flush();
          result.refunds_requeued += 1;
        }
      } catch (error) {
        if (error instanceof CircuitOpenError) down.add(payment.provider);
        this.logger.warn(`payment ${payment.id} not reconciled: ${(error as Error).message}`);
      }
      await this.lookups.checked(payment);
    }
    if (result.settled > 0) this.logger.log(`Reconciliation settled ${result.settled} payments`);
    return result;
  }
}
