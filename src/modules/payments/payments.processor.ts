import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BoundedWorkerHost } from '../../infra/queue/bounded-worker-host.js';
import {
  JOBS,
  QUEUES,
  type PaymentCloseJob,
  type PaymentRefundJob,
} from '../../infra/queue/queues.js';
import { PaymentCloseHandler } from './payment-close.handler.js';
import { PaymentReconciler, type ReconcileResult } from './payment-reconciler.js';
import { PaymentRefundHandler } from './payment-refund.handler.js';

/**
 * The payments queue's worker; each job kind has its handler: refunds (PaymentRefundHandler),
 * closing the pending payments of orders that ended unpaid (PaymentCloseHandler), the periodic
 * reconciliation (PaymentReconciler).
 */
@Processor(QUEUES.payments, { concurrency: 5 })
export class PaymentsProcessor extends BoundedWorkerHost {
  constructor(
    private readonly refunds: PaymentRefundHandler,
    private readonly closes: PaymentCloseHandler,
    private readonly reconciler: PaymentReconciler,
  ) {
    super();
  }

  protected handle(
    job: Job<PaymentRefundJob | PaymentCloseJob>,
  ): Promise<string | ReconcileResult> {
    switch (job.name) {
      case JOBS.paymentRefund:
        return this.refunds.handle(job.data);
      case JOBS.paymentClose:
        return this.closes.handle(job.data);
      case JOBS.paymentsReconcile:
        return this.reconciler.reconcile();
      default:
        throw new Error(`the payments queue has no job named ${job.name}`);
    }
  }
}
