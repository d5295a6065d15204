import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  type TestUser,
} from '../support/factories.js';
import {
  createPayment,
  paymentRow,
  postStripe,
  startPayment,
  stripeSucceeded,
} from '../support/payments.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { STRIPE_TEST_SECRET_KEY, StripeStandIn } from '../support/stripe-stand-in.js';
import { startApp, type TestApp } from '../support/test-app.js';

const OUTAGE_MS = 30_000;
let t: TestApp;
let smtp: SmtpSink;
let stripe: StripeStandIn;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  [smtp, stripe] = await Promise.all([SmtpSink.start(), StripeStandIn.start()]);
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    PAYMENT_PROVIDERS: 'stripe',
    STRIPE_SECRET_KEY: STRIPE_TEST_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.url,
    // Fewer attempts than the outage would spend, were attempts spent while the circuit is open.
    JOB_ATTEMPTS: '3',
    JOB_BACKOFF_MS: '500',
  });
  [admin, alice] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await Promise.all([smtp.stop(), stripe.down()]);
});

const circuit = async (): Promise<number> => {
  const text = (await t.http.get('/metrics')).text;
  return Number(/^payment_provider_circuit_state\{provider="stripe"\} (\d)/m.exec(text)?.[1]);
};

const newOrder = async () => {
  const product = await createProduct(t, admin, { price: 9, stock: 100 });
  return createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
};

describe('Stripe down', () => {
  it('answers 503 on creating a payment (at once, once the circuit is open) and no other route suffers', async () => {
    await stripe.down();
    try {
      const orders = await Promise.all(Array.from({ length: 6 }, () => newOrder()));
      for (const order of orders)
        expectError(await startPayment(t, alice, order.id, 'stripe'), 503);
      expect(await circuit()).toBe(2);
      const started = Date.now();
      expectError(await startPayment(t, alice, orders[0]!.id, 'stripe'), 503);
      // Bound on a stall: an open circuit answers without waiting on the provider.
      expect(Date.now() - started).toBeLessThan(1000);
      const { rows } = await t.db.query(
        `SELECT DISTINCT status FROM payments WHERE order_id = ANY($1)`,
        [orders.map((o) => o.id)],
      );
      expect(rows.map((r: { status: string }) => r.status)).toEqual(['failed']);

      expect((await t.http.get('/api/products?page_size=1')).status).toBe(200);
      expect((await t.http.get('/health/ready')).status).toBe(200);
      const another = await newOrder();
      expect(
        (await t.http.put(`/api/orders/${another.id}/cancel`).set('Authorization', alice.bearer))
          .status,
      ).toBe(200);
    } finally {
      await stripe.up();
    }
    const order = await newOrder();
    const payment = await eventually(
      async () => {
        const res = await startPayment(t, alice, order.id, 'stripe');
        expect(res.status).toBe(201);
        return res.body.data;
      },
      20_000,
      500,
    );
    expect(payment.status).toBe('pending');
    expect(await circuit()).toBe(0);
  }, 60_000);

  it('answers the instant pay route 403 when the fake provider is not enabled', async () => {
    const order = await newOrder();
    expectError(
      await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', alice.bearer),
      403,
    );
  });

  it('postpones a refund through an outage longer than its attempts, and refunds once within seconds of its return', async () => {
    const order = await newOrder();
    const payment = await createPayment(t, alice, order.id, 'stripe');
    expect((await postStripe(t, stripeSucceeded(stripe, payment.provider_reference!))).status).toBe(
      200,
    );
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    await stripe.down();
    let back: number;
    try {
      await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', alice.bearer);
      await eventually(
        async () => {
          expect(await circuit()).toBe(2);
        },
        20_000,
        250,
      );
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      expect((await paymentRow(t, payment.id)).status).toBe('refund_pending');
      const queue = t.app.get<Queue>(getQueueToken(QUEUES.payments));
      expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
      const [job] = await queue.getJobs(['delayed', 'waiting', 'active']);
      expect(job?.attemptsMade).toBeLessThan(3);
    } finally {
      await stripe.up();
      back = Date.now();
    }
    await eventually(
      async () => {
        expect((await paymentRow(t, payment.id)).status).toBe('refunded');
      },
      15_000,
      200,
    );
    // Within the circuit's next probe (10 s), whatever the outage's length.
    expect(Date.now() - back).toBeLessThan(15_000);
    expect(
      stripe.refunds.filter((r) => r.payment_intent === payment.provider_reference),
    ).toHaveLength(1);
  }, 90_000);
});
