import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { JobSchedule } from '../../infra/queue/job-schedule.js';
import { JOBS, QUEUES } from '../../infra/queue/queues.js';

/**
 * The reconciliation, about twice per PAYMENT_RECONCILE_AFTER (at most every minute): a payment
 * is looked up at most once per PAYMENT_RECONCILE_AFTER, so running it more often costs only a
 * cheap query.
 */
@Injectable()
export class PaymentReconcileSchedule extends JobSchedule {
  constructor(@InjectQueue(QUEUES.payments) queue: Queue, @InjectConfig() config: AppConfig) {
    const seconds = Math.min(60, Math.max(1, Math.ceil(config.payments.reconcileAfter / 2)));
    super(queue, JOBS.paymentsReconcile, seconds * 1000);
  }
}
