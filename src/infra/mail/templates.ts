import type { LinkPurpose } from '../../common/security/link-token.js';

/** Why an order was cancelled, as the cancellation notice words it. */
export type CancelReason = 'user' | 'admin' | 'payment_timeout';

export interface OrderSummary {
  id: number;
  total_amount: number;
  items: { product_name: string; quantity: number; subtotal: number }[];
  expires_at?: string;
}

/**
 * Every mail the service sends, with the data captured when the event happened. A mail with a
 * link carries the id of its user_tokens row, never the link's secret: the sender mints the
 * token from the id (mintLinkToken), so a queued job or an outbox row opens no account.
 */
export type MailTemplate =
  | { name: 'welcome'; username: string; token_id: number }
  | { name: 'verify_email'; username: string; token_id: number }
  | { name: 'password_reset'; username: string; token_id: number }
  | { name: 'order_confirmation'; order: OrderSummary }
  | { name: 'payment_receipt'; order: OrderSummary }
  | { name: 'order_shipped'; order: OrderSummary }
  | { name: 'order_completed'; order: OrderSummary }
  | { name: 'order_cancelled'; order: OrderSummary; reason: CancelReason }
  | { name: 'payment_refunded'; refund: RefundSummary };

/** What a refund notice shows: the order, and the amount that went back to the customer. */
export interface RefundSummary {
  order_id: number;
  amount: number;
  currency: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const money = (amount: number): string => amount.toFixed(2);

const lines = (order: OrderSummary): string[] => [
  ...order.items.map((item) => `${item.quantity} x ${item.product_name}: ${money(item.subtotal)}`),
  `Total: ${money(order.total_amount)}`,
];

const CANCELLED_BECAUSE: Record<CancelReason, string> = {
  user: 'you cancelled it',
  admin: 'our team cancelled it',
  payment_timeout: 'it was not paid in time',
};

function paragraphs(subject: string, body: string[]): RenderedMail {
  return {
    subject,
    text: `${body.join('\n\n')}\n`,
    html: `<!doctype html><html><body>${body.map((p) => `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`).join('')}</body></html>`,
  };
}

/** Turns a token row id into the full link (APP_URL/<page>?token=...); given by the sender. */
export type LinkResolver = (purpose: LinkPurpose, tokenId: number) => string;

export function renderMail(template: MailTemplate, link: LinkResolver): RenderedMail {
  switch (template.name) {
    case 'welcome':
      return paragraphs('Welcome to the shop', [
        `Hello ${template.username},`,
        'your account is ready. Please confirm your email address:',
        link('verify_email', template.token_id),
      ]);
    case 'verify_email':
      return paragraphs('Confirm your new email address', [
        `Hello ${template.username},`,
        'please confirm this email address for your account:',
        link('verify_email', template.token_id),
      ]);
    case 'password_reset':
      return paragraphs('Reset your password', [
        `Hello ${template.username},`,
        'someone asked to reset your password. If it was you, choose a new one within an hour:',
        link('reset_password', template.token_id),
        'If it was not you, ignore this mail; your password stays as it is.',
      ]);
    case 'order_confirmation':
      return paragraphs(`Order ${template.order.id} received`, [
        `Thank you for your order ${template.order.id}.`,
        lines(template.order).join('\n'),
        template.order.expires_at
          ? `Please pay by ${template.order.expires_at}; unpaid orders are cancelled then.`
          : 'Please pay soon; unpaid orders are cancelled.',
      ]);
    case 'payment_receipt':
      return paragraphs(`Receipt for order ${template.order.id}`, [
        `We received your payment for order ${template.order.id}.`,
        lines(template.order).join('\n'),
      ]);
    case 'order_shipped':
      return paragraphs(`Order ${template.order.id} shipped`, [
        `Your order ${template.order.id} is on its way.`,
        lines(template.order).join('\n'),
      ]);
    case 'order_completed':
      return paragraphs(`Order ${template.order.id} completed`, [
        `Your order ${template.order.id} is complete. Thank you for shopping with us.`,
        lines(template.order).join('\n'),
        'You can now review the products you received.',
      ]);
    case 'payment_refunded':
      return paragraphs(`Refund for order ${template.refund.order_id}`, [
        `We refunded your payment of ${money(template.refund.amount)} ${template.refund.currency} for order ${template.refund.order_id} in full.`,
        'Depending on your bank or wallet, it may take a few days to show on your statement.',
      ]);
    case 'order_cancelled':
      return paragraphs(`Order ${template.order.id} cancelled`, [
        `Your order ${template.order.id} was cancelled because ${CANCELLED_BECAUSE[template.reason]}.`,
        lines(template.order).join('\n'),
      ]);
  }
}
