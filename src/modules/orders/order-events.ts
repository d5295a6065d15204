import { toJsonNumber } from '../../common/money.js';
import type { MailTemplate, OrderSummary } from '../../infra/mail/templates.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import type { OrderTransition } from './order-state-machine.js';
import type { NewOrder } from './order-placement.repository.js';
import type { OrderItemRow, OrderRow } from './orders.repository.js';

/** The mails about an order; each is sent at most once per order (see orderMail's key). */
type OrderMail = 'confirmation' | 'receipt' | 'shipped' | 'completed' | 'cancelled';

/** The mail each transition sends the order's owner (a receipt, a notice), or none. */
const TRANSITION_MAIL: Record<OrderTransition, Exclude<OrderMail, 'confirmation'> | null> = {
  pay: 'receipt',
  confirm_payment: 'receipt',
  ship: 'shipped',
  complete: 'completed',
  cancel: 'cancelled',
  expire: 'cancelled',
};

export const sendsMail = (transition: OrderTransition): boolean =>
  TRANSITION_MAIL[transition] !== null;

type SummarySource = Pick<OrderRow, 'id' | 'total_amount' | 'expires_at'>;
type SummaryItem = Pick<OrderItemRow, 'product_name' | 'quantity' | 'subtotal'>;

/** What a mail shows of an order, from its row or from the order as it is being placed. */
export const orderSummary = (
  order: SummarySource,
  items: readonly SummaryItem[],
): OrderSummary => ({
  id: order.id,
  total_amount: toJsonNumber(order.total_amount),
  items: items.map(({ product_name, quantity, subtotal }) => ({
    product_name,
    quantity,
    subtotal: toJsonNumber(subtotal),
  })),
  expires_at: order.expires_at.toISOString(),
});

/** A mail about an order, keyed so that a job that runs twice sends it once. */
const orderMail = (
  orderId: number,
  what: OrderMail,
  to: string,
  template: MailTemplate,
): OutboxEvent => ({ kind: 'mail', job: { key: `order-${what}-${orderId}`, to, template } });

/** A new order's events: the confirmation mail and its payment deadline. */
export function placedEvents(order: NewOrder, to: string): OutboxEvent[] {
  const summary = orderSummary(order, order.items);
  return [
    orderMail(order.id, 'confirmation', to, { name: 'order_confirmation', order: summary }),
    { kind: 'order_timeout', job: { orderId: order.id }, run_at: order.expires_at.toISOString() },
  ];
}

/**
 * The events of a transition that happened: its mail to the owner, if it sends one (`to` is
 * then their address, see sendsMail).
 */
export function transitionEvents(
  transition: OrderTransition,
  order: OrderRow,
  items: readonly OrderItemRow[],
  to: string | undefined,
): OutboxEvent[] {
  const what = TRANSITION_MAIL[transition];
  if (what === null) return [];
  if (to === undefined)
    throw new Error(`the ${transition} mail of order ${order.id} has no address`);
  const summary = orderSummary(order, items);
  switch (what) {
    case 'receipt':
      return [orderMail(order.id, what, to, { name: 'payment_receipt', order: summary })];
    case 'shipped':
      return [orderMail(order.id, what, to, { name: 'order_shipped', order: summary })];
    case 'completed':
      return [orderMail(order.id, what, to, { name: 'order_completed', order: summary })];
    case 'cancelled': {
      const reason = order.cancel_reason;
      if (!reason) return [];
      return [orderMail(order.id, what, to, { name: 'order_cancelled', order: summary, reason })];
    }
  }
}
