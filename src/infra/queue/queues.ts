import type { MailTemplate } from '../mail/templates.js';

/** Queue names, as constants: each queue has one processor module. */
export const QUEUES = {
  email: 'email',
  orders: 'orders',
  reports: 'reports',
  payments: 'payments',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  sendMail: 'send-mail',
  orderTimeout: 'order-timeout',
  ordersSweep: 'orders-sweep',
  salesReport: 'sales-report',
  paymentRefund: 'payment-refund',
  paymentClose: 'payment-close',
  paymentsReconcile: 'payments-reconcile',
} as const;

/**
 * Carried in every job so its logs and its trace join the request that caused it: the request
 * id and the W3C trace context (see currentJobMeta).
 */
export interface JobMeta {
  request_id?: string;
  traceparent?: string;
  tracestate?: string;
}

export interface MailJob extends JobMeta {
  /** Idempotency key of the mail: a job that runs twice sends it once. */
  key: string;
  to: string;
  template: MailTemplate;
}

export interface OrderTimeoutJob extends JobMeta {
  orderId: number;
}

export interface SalesReportJob extends JobMeta {
  start_date: string;
  end_date: string;
}

/** Refund one payment in full at its provider (it is refund_pending). */
export interface PaymentRefundJob extends JobMeta {
  paymentId: string;
}

/** Close one payment still pending at its provider: its order can no longer be paid. */
export interface PaymentCloseJob extends JobMeta {
  paymentId: string;
}
