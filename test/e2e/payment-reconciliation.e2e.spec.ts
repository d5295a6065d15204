import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createProduct,
  signUp,
  stockOf,
  type TestUser,
} from '../support/factories.js';
import { createPayment, eventsOf, paymentRow } from '../support/payments.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { STRIPE_TEST_SECRET_KEY, StripeStandIn } from '../support/stripe-stand-in.js';
import { startIsolatedApp, type TestApp } from '../support/test-app.js';

/**
 * A database of its own: the reconciler looks up every open payment older than
 * PAYMENT_RECONCILE_AFTER, other files' included, and the fake provider approves them all.
 */
let t: TestApp;
let smtp: SmtpSink;
let stripe: StripeStandIn;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  [smtp, stripe] = await Promise.all([SmtpSink.start(), StripeStandIn.start()]);
  t = await startIsolatedApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    PAYMENT_PROVIDERS: 'stripe,fake',
    STRIPE_SECRET_KEY: STRIPE_TEST_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_RECONCILE_AFTER: '2',
    JOB_BACKOFF_MS: '300',
  });
  [admin, alice] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
}, 60_000);
afterAll(async () => {
  await t.close();
  await Promise.all([smtp.stop(), stripe.down()]);
});

const orderOf = async (id: number) =>
  (await t.http.get(`/api/orders/${id}`).set('Authorization', alice.bearer)).body.data;

async function pending(provider: string) {
  const product = await createProduct(t, admin, { price: 7, stock: 10 });
  const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
  const payment = await createPayment(t, alice, order.id, provider);
  return { product, order, payment };
}

describe('reconciliation of payments whose notification was lost', () => {
  it('settles a Stripe payment the customer completed: the order is paid and the receipt mailed', async () => {
    const { product, order, payment } = await pending('stripe');
    stripe.succeed(payment.provider_reference!);
    await eventually(async () => {
      expect((await orderOf(order.id)).status).toBe('paid');
    }, 20_000);
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    expect(await stockOf(t, product.id)).toEqual({ stock: 9, sales: 1 });
    expect(await eventsOf(t, payment.id)).toEqual([]);
    expect(
      stripe.requestsTo('GET', `/v1/payment_intents/${payment.provider_reference}`).length,
    ).toBeGreaterThan(0);
    await smtp.waitFor(alice.email, new RegExp(`Receipt for order ${order.id}`));
  });

  it('settles a fake payment (the fake provider approves every payment)', async () => {
    const { order, payment } = await pending('fake');
    await eventually(async () => {
      expect((await orderOf(order.id)).status).toBe('paid');
    }, 20_000);
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
  });

  it('leaves a payment the customer has not completed pending while its order is, and cancels it at Stripe once the order is cancelled', async () => {
    const { order, payment } = await pending('stripe');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await paymentRow(t, payment.id)).status).toBe('pending');
    expect((await orderOf(order.id)).status).toBe('pending');

    await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', alice.bearer);
    await eventually(async () => {
      expect((await paymentRow(t, payment.id)).status).toBe('cancelled');
    }, 20_000);
    expect(stripe.intent(payment.provider_reference!).status).toBe('canceled');
  });

  it('confirms a refund whose charge.refunded webhook was lost', async () => {
    const { order, payment } = await pending('stripe');
    stripe.succeed(payment.provider_reference!);
    await eventually(async () => {
      expect((await orderOf(order.id)).status).toBe('paid');
    }, 20_000);
    stripe.refundStatus = 'pending';
    try {
      await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', alice.bearer);
      await eventually(() => {
        expect(stripe.refunds.some((r) => r.payment_intent === payment.provider_reference)).toBe(
          true,
        );
      });
      const charge = stripe.chargeOf(payment.provider_reference!);
      stripe.markRefunded(charge, charge.amount);
      await eventually(async () => {
        expect((await paymentRow(t, payment.id)).status).toBe('refunded');
      }, 20_000);
      expect(
        stripe.refunds.filter((r) => r.payment_intent === payment.provider_reference),
      ).toHaveLength(1);
      await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
    } finally {
      stripe.refundStatus = 'succeeded';
    }
  });
});
