import { describe, expect, it } from 'vitest';
import { renderMail as render, type LinkResolver, type MailTemplate } from './templates.js';

const links: LinkResolver = (purpose, tokenId) =>
  purpose === 'verify_email'
    ? `http://x/verify-email?token=abc${tokenId}`
    : `http://x/reset-password?token=t${tokenId}`;
const renderMail = (template: MailTemplate) => render(template, links);

const order = {
  id: 7,
  total_amount: 0.3,
  items: [{ product_name: 'Cup <b>', quantity: 3, subtotal: 0.3 }],
};

describe('renderMail', () => {
  it('puts the verification link in the welcome mail', () => {
    const mail = renderMail({ name: 'welcome', username: 'ada', token_id: 7 });
    expect(mail.subject).toBe('Welcome to the shop');
    expect(mail.text).toContain('http://x/verify-email?token=abc7');
    expect(mail.html).toContain('http://x/verify-email?token=abc7');
  });

  it('lists the order with exact amounts', () => {
    const mail = renderMail({ name: 'order_confirmation', order });
    expect(mail.subject).toBe('Order 7 received');
    expect(mail.text).toContain('3 x Cup <b>: 0.30');
    expect(mail.text).toContain('Total: 0.30');
  });

  it('tells the amount and currency refunded for an order, exactly', () => {
    const mail = renderMail({
      name: 'payment_refunded',
      refund: { order_id: 7, amount: 0.3, currency: 'USD' },
    });
    expect(mail.subject).toBe('Refund for order 7');
    expect(mail.text).toContain('0.30 USD for order 7 in full');
  });

  it('escapes user text in the HTML part', () => {
    const mail = renderMail({ name: 'payment_receipt', order });
    expect(mail.html).toContain('Cup &lt;b&gt;');
    expect(mail.html).not.toContain('Cup <b>');
  });

  it.each([
    ['user', 'you cancelled it'],
    ['admin', 'our team cancelled it'],
    ['payment_timeout', 'it was not paid in time'],
  ] as const)('says why an order was cancelled (%s)', (reason, text) => {
    expect(renderMail({ name: 'order_cancelled', order, reason }).text).toContain(text);
  });

  it.each([
    ['order_shipped', 'Order 7 shipped', 'is on its way'],
    ['order_completed', 'Order 7 completed', 'is complete'],
  ] as const)('tells the customer an order is %s, with its lines', (name, subject, text) => {
    const mail = renderMail({ name, order });
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain(text);
    expect(mail.text).toContain('3 x Cup <b>: 0.30');
  });

  it('gives the reset link', () => {
    expect(renderMail({ name: 'password_reset', username: 'ada', token_id: 9 }).text).toContain(
      'http://x/reset-password?token=t9',
    );
  });
});
