import { fromCents, toJsonNumber } from '../../common/money.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import type { PaymentRow } from './payments.repository.js';

/** The refund of a payment, queued through the outbox: retried until the provider takes it. */
export const refundRequested = (payment: Pick<PaymentRow, 'id'>): OutboxEvent => ({
  kind: 'payment_refund',
  job: { paymentId: payment.id },
});

/** A payment still pending whose order ended unpaid, closed at its provider (PaymentCloseHandler). */
export const closeRequested = (payment: Pick<PaymentRow, 'id'>): OutboxEvent => ({
  kind: 'payment_close',
  job: { paymentId: payment.id },
});

/** The customer's refund notice, sent once per payment. */
export const refundNotice = (
  payment: Pick<PaymentRow, 'id' | 'order_id' | 'amount_minor' | 'currency'>,
  to: string,
): OutboxEvent => ({
  kind: 'mail',
  job: {
    key: `payment-refunded-${payment.id}`,
    to,
    template: {
      name: 'payment_refunded',
      refund: {
        order_id: payment.order_id,
        amount: toJsonNumber(fromCents(payment.amount_minor)),
        currency: payment.currency,
      },
    },
  },
});

/**
 * The idempotency key of a payment's refund (Stripe's Idempotency-Key, Alipay's
 * out_request_no, WeChat Pay's out_refund_no). A payment is refunded once, in full, so the key
 * is the payment's: every retry, from any job or worker, asks for the same refund.
 */
export const refundKey = (payment: Pick<PaymentRow, 'id'>): string => `refund-${payment.id}`;
