export const PAYMENT_STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'cancelled',
  'refund_pending',
  'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_TRANSITIONS = [
  'succeed',
  'fail',
  'cancel',
  'request_refund',
  'refund',
] as const;
export type PaymentTransition = (typeof PAYMENT_TRANSITIONS)[number];

interface PaymentRule {
  from: readonly PaymentStatus[];
  to: PaymentStatus;
}

/**
 * Every payment status change, in one place, applied as one conditional UPDATE ... WHERE
 * status = ANY(from) (PaymentsRepository.transition): of two events racing on one payment
 * exactly one changes it, and an event arriving late finds nothing to change (a failure after
 * a success, a success repeated). `succeed` also starts from `failed` and `cancelled`: a
 * provider may report a failed attempt and then the customer's successful retry of the same
 * payment (Stripe keeps a PaymentIntent open after a declined card), and a payment the shop
 * cancelled may still be paid (an Alipay trade closed before the customer opened its page is
 * not closed at Alipay; notifications arrive out of order). The money arrived, so the payment
 * succeeded: it pays the order if the order is still payable, and is refunded otherwise.
 */
export const PAYMENT_STATE_MACHINE: Record<PaymentTransition, PaymentRule> = {
  succeed: { from: ['pending', 'failed', 'cancelled'], to: 'succeeded' },
  fail: { from: ['pending'], to: 'failed' },
  cancel: { from: ['pending'], to: 'cancelled' },
  /** The money goes back: the order was cancelled after it was paid, or was never payable. */
  request_refund: { from: ['succeeded'], to: 'refund_pending' },
  /**
   * The provider confirmed the refund: one the shop asked for, or one whose notice came before
   * the success it refunds (events arrive out of order). The money came and went back, so the
   * payment ends refunded and pays no order; the success, arriving after, changes nothing.
   */
  refund: { from: ['refund_pending', 'pending', 'failed', 'cancelled'], to: 'refunded' },
};

/** What a provider's event asks of a payment. */
export const EVENT_TRANSITION = {
  succeeded: 'succeed',
  failed: 'fail',
  cancelled: 'cancel',
  refunded: 'refund',
} as const satisfies Record<string, PaymentTransition>;

/** Statuses a provider may still move (the reconciler looks these up). */
export const OPEN_STATUSES: readonly PaymentStatus[] = ['pending', 'refund_pending'];
