import { Module } from '@nestjs/common';
import { PaymentReconcileSchedule } from './payment-reconcile.schedule.js';
import { PaymentReconciler } from './payment-reconciler.js';
import { PaymentCloseHandler } from './payment-close.handler.js';
import { PaymentRefundHandler } from './payment-refund.handler.js';
import { PaymentsModule } from './payments.module.js';
import { PaymentsProcessor } from './payments.processor.js';

/** The payments queue's worker, its job handlers and the reconciliation's schedule (workers only). */
@Module({
  imports: [PaymentsModule],
  providers: [
    PaymentsProcessor,
    PaymentRefundHandler,
    PaymentCloseHandler,
    PaymentReconciler,
    PaymentReconcileSchedule,
  ],
})
export class PaymentsWorkerModule {}
