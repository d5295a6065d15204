import type { MailJob, OrderTimeoutJob, PaymentCloseJob, PaymentRefundJob } from './queues.js';

/**
 * What a transaction may ask to happen after it commits. Rows are relayed to the queues by
 * OutboxRelay; the kind decides the queue and the job.
 */
export type OutboxEvent =
  | { kind: 'mail'; job: MailJob }
  | { kind: 'order_timeout'; job: OrderTimeoutJob; run_at: string }
  | { kind: 'payment_refund'; job: PaymentRefundJob }
  | { kind: 'payment_close'; job: PaymentCloseJob }
  /**
   * A cache invalidation that could not reach Redis at `lost_at` (unix ms): the relay changes
   * the cache's epoch once Redis answers (unless it changed since), so no process (a restarted
   * one, another replica) serves what it missed.
   */
  | { kind: 'cache_epoch'; lost_at: number };

export type OutboxKind = OutboxEvent['kind'];
