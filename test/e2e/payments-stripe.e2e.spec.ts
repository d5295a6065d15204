import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/infra/queue/outbox.relay.js';
import { JOBS, QUEUES } from '../../src/infra/queue/queues.js';
import { OrderSweeper } from '../../src/modules/orders/order-sweeper.js';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  stockOf,
  type TestUser,
} from '../support/factories.js';
import {
  createPayment,
  eventsOf,
  paymentRow,
  postStripe,
  startPayment,
  stripeSucceeded,
  webhookCount,
} from '../support/payments.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { STRIPE_TEST_SECRET_KEY, StripeStandIn } from '../support/stripe-stand-in.js';
import { startApp, type TestApp } from '../support/test-app.js';

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
    PAYMENT_PROVIDERS: 'stripe,fake',
    STRIPE_SECRET_KEY: STRIPE_TEST_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.url,
    PUBLIC_URL: 'https://shop.example',
    JOB_BACKOFF_MS: '300',
  });
  [admin, alice] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await Promise.all([smtp.stop(), stripe.down()]);
});

const orderOf = async (id: number) =>
  (await t.http.get(`/api/orders/${id}`).set('Authorization', alice.bearer)).body.data;

async function pendingStripePayment(quantity = 2, price = 12.5) {
  const product = await createProduct(t, admin, { price, stock: 100 });
  const order = await createOrder(t, alice, [{ product_id: product.id, quantity }]);
  const payment = await createPayment(t, alice, order.id, 'stripe');
  return { product, order, payment, intentId: payment.provider_reference! };
}

const expire = async (orderId: number) => {
  await t.db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
    orderId,
  ]);
  await t.app.get(OrderSweeper).sweep();
};

/**
 * Concurrent answers to one order's payment: all name one payment, for which Stripe holds one
 * PaymentIntent, the one every answer refers to. Returns the payment id and its create calls.
 */
function expectOnePaymentIntent(answers: Array<{ body: { data: Record<string, unknown> } }>) {
  const ids = new Set(answers.map((r) => r.body.data.id as string));
  expect(ids.size).toBe(1);
  const [id] = [...ids];
  const creates = stripe
    .requestsTo('POST', '/v1/payment_intents')
    .filter((r) => r.form.get('metadata[payment_id]') === id);
  const made = [...stripe.intents.values()].filter((i) => i.metadata.payment_id === id);
  expect(made).toHaveLength(1);
  expect(new Set(answers.map((r) => r.body.data.provider_reference))).toEqual(
    new Set([made[0]!.id]),
  );
  return { id: id!, creates };
}

describe('a Stripe payment', () => {
  it('is a PaymentIntent in cents with the order and payment in metadata and an Idempotency-Key from the payment id, paid by its signed payment_intent.succeeded', async () => {
    const { product, order, payment, intentId } = await pendingStripePayment(3, 0.1);
    const [create] = stripe
      .requestsTo('POST', '/v1/payment_intents')
      .filter((r) => r.form.get('metadata[payment_id]') === payment.id);
    expect(create!.idempotencyKey).toBe(`payment-${payment.id}`);
    expect(Object.fromEntries(create!.form)).toMatchObject({
      amount: '30',
      currency: 'usd',
      'metadata[order_id]': String(order.id),
    });
    expect(payment).toMatchObject({
      status: 'pending',
      amount: 0.3,
      provider_reference: intentId,
      client_action: {
        type: 'stripe_client_secret',
        client_secret: stripe.intent(intentId).client_secret,
      },
    });

    const res = await postStripe(t, stripeSucceeded(stripe, intentId));
    expect(res.status).toBe(200);
    expect(res.body.data.result).toBe('accepted');
    expect(await orderOf(order.id)).toMatchObject({ status: 'paid' });
    expect(await stockOf(t, product.id)).toEqual({ stock: 97, sales: 3 });
    const [listed] = (
      await t.http.get(`/api/orders/${order.id}/payments`).set('Authorization', alice.bearer)
    ).body.data;
    expect(listed).toMatchObject({ status: 'succeeded', client_action: null });
    await smtp.waitFor(alice.email, new RegExp(`Receipt for order ${order.id}`));
  });

  it('made by twenty concurrent calls is one payment and one PaymentIntent', async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => startPayment(t, alice, order.id, 'stripe')),
    );
    expect(answers.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    const { id, creates } = expectOnePaymentIntent(answers);
    expect(new Set(creates.map((r) => r.idempotencyKey))).toEqual(new Set([`payment-${id}`]));
  });
});

describe('a Stripe payment made slowly', () => {
  const circuit = async (): Promise<number> => {
    const text = (await t.http.get('/metrics')).text;
    return Number(/^payment_provider_circuit_state\{provider="stripe"\} (\d)/m.exec(text)?.[1]);
  };

  // 6 s: longer than the 5 s repeats used to wait before calling Stripe with the same key,
  // whose 409s then made them 503s.
  it.each([400, 6000])(
    'asked for by ten calls at once is one PaymentIntent made once, answered to all ten, and Stripe is not taken for down (Stripe taking %i ms)',
    async (delayMs) => {
      stripe.createDelayMs = delayMs;
      try {
        const product = await createProduct(t, admin);
        const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => startPayment(t, alice, order.id, 'stripe')),
        );
        expect(answers.map((r) => r.status).sort()).toEqual([
          200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
        ]);
        const { creates } = expectOnePaymentIntent(answers);
        expect(creates).toHaveLength(1);
        expect(await circuit()).toBe(0);
      } finally {
        stripe.createDelayMs = 0;
      }
    },
    20_000,
  );

  it('retries a 409 (a request with the same key still executing at Stripe) without counting it against the circuit', async () => {
    const product = await createProduct(t, admin);
    const orders = await Promise.all(
      Array.from({ length: 4 }, () =>
        createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]),
      ),
    );
    // Two 409s, then the intent: retried to success.
    stripe.fail('/v1/payment_intents', 2, 409);
    const retried = await startPayment(t, alice, orders[0]!.id, 'stripe');
    expect(retried.status).toBe(201);
    expect(retried.body.data.provider_reference).toMatch(/^pi_/);
    // Every attempt of three calls is a 409: nine failed calls, which would open the circuit
    // (five calls, half of them failed) if they counted as Stripe's failures.
    stripe.fail('/v1/payment_intents', 9, 409);
    for (const order of orders.slice(1)) {
      expect((await startPayment(t, alice, order.id, 'stripe')).status).toBe(503);
    }
    expect(await circuit()).toBe(0);
    const after = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expect((await startPayment(t, alice, after.id, 'stripe')).status).toBe(201);
  });
});

describe('Stripe webhooks', () => {
  it('reject a forged, a stale, a wrong-amount and a wrong-currency event, changing nothing', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    const before = await webhookCount(t, 'stripe', 'rejected');
    const intent = stripe.intent(intentId);
    const succeeded = { ...intent, status: 'succeeded', amount_received: intent.amount };
    for (const note of [
      stripe.event('payment_intent.succeeded', succeeded, { secret: 'whsec_not_ours' }),
      stripe.event('payment_intent.succeeded', succeeded, {
        timestamp: Math.floor(Date.now() / 1000) - 301,
      }),
      stripe.event('payment_intent.succeeded', { ...succeeded, amount_received: 2499 }),
      stripe.event('payment_intent.succeeded', { ...succeeded, currency: 'eur' }),
      { ...stripe.event('payment_intent.succeeded', succeeded), body: '{"id":"evt_x"}' },
    ]) {
      expectError(await postStripe(t, note), 400);
    }
    expectError(await t.http.post('/api/payments/webhooks/stripe').send({}), 400);
    expect((await paymentRow(t, payment.id)).status).toBe('pending');
    expect((await orderOf(order.id)).status).toBe('pending');
    expect(await eventsOf(t, payment.id)).toEqual([]);
    expect(await webhookCount(t, 'stripe', 'rejected')).toBe(before + 6);
  });

  it('answer a signed event whose object lacks what the shop reads with 400, and take a success without amount_received by its amount', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    const before = await webhookCount(t, 'stripe', 'rejected');
    for (const note of [
      stripe.event('payment_intent.succeeded', {}),
      stripe.event('payment_intent.succeeded', { id: intentId, object: 'payment_intent' }),
      stripe.event('payment_intent.payment_failed', { id: intentId, amount: 2500 }),
      stripe.event('charge.refunded', { id: 'ch_x', payment_intent: intentId, refunded: true }),
    ]) {
      expectError(await postStripe(t, note), 400);
    }
    expect(await webhookCount(t, 'stripe', 'rejected')).toBe(before + 4);
    expect((await paymentRow(t, payment.id)).status).toBe('pending');
    // What a hand-written event may leave out: amount_received (the amount is what was paid).
    const succeeded = stripe.event('payment_intent.succeeded', {
      id: intentId,
      object: 'payment_intent',
      amount: 2500,
      currency: 'usd',
      status: 'succeeded',
      metadata: { order_id: String(order.id), payment_id: payment.id },
    });
    expect((await postStripe(t, succeeded)).body.data.result).toBe('accepted');
    expect((await orderOf(order.id)).status).toBe('paid');
  });

  it('answer a signed body that is not an event, and an event signed in the future, with 400', async () => {
    const { payment, intentId } = await pendingStripePayment();
    const signed = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
      body,
      signature: Stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: stripe.webhookSecret,
        timestamp,
      }),
    });
    const before = await webhookCount(t, 'stripe', 'rejected');
    const notes = [
      signed('null'),
      signed('[]'),
      signed('{}'),
      signed('"payment_intent.succeeded"'),
      signed('{"id":"evt_no_data","type":"payment_intent.succeeded"}'),
      signed('{"id":"evt_null_data","type":"charge.refunded","data":null}'),
      signed('{"id":"evt_null_object","type":"charge.refunded","data":{"object":null}}'),
      signed('{"id":7,"type":"customer.created","data":{"object":{}}}'),
      signed('{"type":"customer.created","data":{"object":{}}}'),
      // Far enough ahead that the nine requests before it cannot bring it within the tolerance.
      stripe.event('payment_intent.succeeded', stripe.succeed(intentId), {
        timestamp: Math.floor(Date.now() / 1000) + 600,
      }),
    ];
    for (const note of notes) expectError(await postStripe(t, note), 400);
    expect(await webhookCount(t, 'stripe', 'rejected')).toBe(before + notes.length);
    expect((await paymentRow(t, payment.id)).status).toBe('pending');
    expect(await eventsOf(t, payment.id)).toEqual([]);
  });

  it('process the same event once, however often it comes: twice in a row, or fifty copies at once', async () => {
    const first = await pendingStripePayment();
    const note = stripeSucceeded(stripe, first.intentId);
    expect((await postStripe(t, note)).body.data.result).toBe('accepted');
    expect((await postStripe(t, note)).body.data.result).toBe('duplicate');
    expect(await eventsOf(t, first.payment.id)).toEqual([note.id]);

    const { product, order, intentId } = await pendingStripePayment();
    const copy = stripeSucceeded(stripe, intentId);
    const answers = await Promise.all(Array.from({ length: 50 }, () => postStripe(t, copy)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(answers.filter((r) => r.body.data.result === 'accepted')).toHaveLength(1);
    expect((await orderOf(order.id)).status).toBe('paid');
    expect(await stockOf(t, product.id)).toEqual({ stock: 98, sales: 2 });
  });

  it('acknowledge an event type the shop does not act on, and a failure after the success changes nothing', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    await postStripe(t, stripeSucceeded(stripe, intentId));
    const other = stripe.event('customer.created', { id: 'cus_1', object: 'customer' });
    expect((await postStripe(t, other)).status).toBe(200);
    const failed = stripe.event('payment_intent.payment_failed', stripe.intent(intentId));
    expect((await postStripe(t, failed)).status).toBe(200);
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    expect((await orderOf(order.id)).status).toBe('paid');
  });
});

describe('Stripe refunds', () => {
  it('a success after the order expired is refunded, the order left cancelled and the customer mailed', async () => {
    const { product, order, payment, intentId } = await pendingStripePayment();
    await expire(order.id);
    expect(await orderOf(order.id)).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'payment_timeout',
    });
    expect((await postStripe(t, stripeSucceeded(stripe, intentId))).status).toBe(200);
    await eventually(async () => {
      expect(await paymentRow(t, payment.id)).toMatchObject({
        status: 'refunded',
        refunded_minor: 2500,
      });
    });
    expect(stripe.refunds.filter((r) => r.payment_intent === intentId)).toHaveLength(1);
    expect((await orderOf(order.id)).status).toBe('cancelled');
    expect(await stockOf(t, product.id)).toEqual({ stock: 100, sales: 0 });
    await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
  });

  it('cancelling a paid order refunds it once, with one Idempotency-Key, even when the first refund calls fail', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    await postStripe(t, stripeSucceeded(stripe, intentId));
    // Three failures fail the job's first attempt (its call and two retries), the fourth its second.
    stripe.fail('/v1/refunds', 4);
    const cancel = await t.http
      .put(`/api/orders/${order.id}/cancel`)
      .set('Authorization', alice.bearer);
    expect(cancel.body.data).toMatchObject({ status: 'cancelled', cancel_reason: 'user' });
    expect((await paymentRow(t, payment.id)).status).toBe('refund_pending');
    await eventually(async () => {
      expect((await paymentRow(t, payment.id)).status).toBe('refunded');
    }, 20_000);
    const calls = stripe
      .requestsTo('POST', '/v1/refunds')
      .filter((r) => r.form.get('payment_intent') === intentId);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(new Set(calls.map((r) => r.idempotencyKey))).toEqual(new Set([`refund-${payment.id}`]));
    expect(stripe.refunds.filter((r) => r.payment_intent === intentId)).toHaveLength(1);
    expect(stripe.chargeOf(intentId)).toMatchObject({ refunded: true, amount_refunded: 2500 });
    await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
  });

  it('a refund Stripe answers as pending completes with its charge.refunded webhook', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    await postStripe(t, stripeSucceeded(stripe, intentId));
    stripe.refundStatus = 'pending';
    try {
      await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', admin.bearer);
      await eventually(() => {
        expect(stripe.refunds.filter((r) => r.payment_intent === intentId)).toHaveLength(1);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await paymentRow(t, payment.id)).status).toBe('refund_pending');
      const charge = stripe.chargeOf(intentId);
      stripe.markRefunded(charge, charge.amount);
      expect((await postStripe(t, stripe.event('charge.refunded', charge))).status).toBe(200);
      expect(await paymentRow(t, payment.id)).toMatchObject({
        status: 'refunded',
        refunded_minor: 2500,
      });
    } finally {
      stripe.refundStatus = 'succeeded';
    }
  });
});

describe('a refund made at Stripe (its Dashboard)', () => {
  it('of a paid order, in full, refunds the payment in the shop too, leaves the order paid and tells the customer', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    await postStripe(t, stripeSucceeded(stripe, intentId));
    expect((await orderOf(order.id)).status).toBe('paid');
    const charge = stripe.chargeOf(intentId);
    stripe.markRefunded(charge, charge.amount);
    const event = stripe.event('charge.refunded', charge);
    expect((await postStripe(t, event)).status).toBe(200);
    expect(await paymentRow(t, payment.id)).toMatchObject({
      status: 'refunded',
      refunded_minor: 2500,
    });
    expect((await orderOf(order.id)).status).toBe('paid');
    await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
    // Once: the same event again changes nothing.
    expect((await postStripe(t, event)).status).toBe(200);
    expect(await eventsOf(t, payment.id)).toHaveLength(2);
  });

  it('in part, is acknowledged and changes nothing', async () => {
    const { payment, intentId } = await pendingStripePayment();
    await postStripe(t, stripeSucceeded(stripe, intentId));
    const charge = stripe.chargeOf(intentId);
    stripe.markRefunded(charge, 100);
    expect((await postStripe(t, stripe.event('charge.refunded', charge))).status).toBe(200);
    expect(await paymentRow(t, payment.id)).toMatchObject({
      status: 'succeeded',
      refunded_minor: 0,
    });
  });
});

describe('the payment timeout', () => {
  it('leaves alone an order whose provider reports the payment succeeded, and settles it', async () => {
    const { product, order, payment, intentId } = await pendingStripePayment();
    stripe.succeed(intentId);
    await expire(order.id);
    expect(await orderOf(order.id)).toMatchObject({ status: 'paid', cancel_reason: null });
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    expect(await stockOf(t, product.id)).toEqual({ stock: 98, sales: 2 });
  });

  it('cancels an order whose payment is still pending at the provider, and closes that payment there', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    await expire(order.id);
    expect((await orderOf(order.id)).status).toBe('cancelled');
    await eventually(async () => {
      expect((await paymentRow(t, payment.id)).status).toBe('cancelled');
    });
    expect(stripe.intent(intentId).status).toBe('canceled');
  });

  /** The order's payments as its owner lists them, once its Stripe payment is closed there. */
  const closedAtStripe = async (orderId: number, paymentId: string, intentId: string) => {
    await eventually(async () => {
      expect((await paymentRow(t, paymentId)).status).toBe('cancelled');
    });
    expect(stripe.intent(intentId).status).toBe('canceled');
    return t.http.get(`/api/orders/${orderId}/payments`).set('Authorization', alice.bearer);
  };

  it('closes a pending payment at the provider when its owner cancels the order', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    const cancelled = await t.http
      .put(`/api/orders/${order.id}/cancel`)
      .set('Authorization', alice.bearer);
    expect(cancelled.status).toBe(200);
    const listed = await closedAtStripe(order.id, payment.id, intentId);
    expect(listed.body.data[0]).toMatchObject({ id: payment.id, status: 'cancelled' });
  });

  it('closes a pending payment at the provider when the order is paid another way', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    const paid = await t.http
      .post(`/api/orders/${order.id}/pay`)
      .set('Authorization', alice.bearer);
    expect(paid.status).toBe(200);
    const listed = await closedAtStripe(order.id, payment.id, intentId);
    expect((await orderOf(order.id)).status).toBe('paid');
    expect(
      listed.body.data.map((p: { provider: string; status: string }) => [p.provider, p.status]),
    ).toEqual([
      ['fake', 'succeeded'],
      ['stripe', 'cancelled'],
    ]);
  });

  it.each(['cancelled', 'paid another way'] as const)(
    'refuses, with 409, a payment whose order was %s while Stripe was making it, and closes it there',
    async (how) => {
      const product = await createProduct(t, admin, { price: 5, stock: 100 });
      const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
      stripe.createDelayMs = 1500;
      try {
        // then(): supertest sends a request only once it is awaited.
        const started = startPayment(t, alice, order.id, 'stripe').then((res) => res);
        // Once the payment row exists and Stripe is making its PaymentIntent.
        await eventually(async () => {
          const { rows } = await t.db.query('SELECT 1 FROM payments WHERE order_id = $1', [
            order.id,
          ]);
          expect(rows).toHaveLength(1);
        });
        const ended =
          how === 'cancelled'
            ? await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', alice.bearer)
            : await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', alice.bearer);
        expect(ended.status).toBe(200);
        // Before: 201 with a payment marked failed, and its PaymentIntent left open at Stripe.
        expectError(await started, 409);
      } finally {
        stripe.createDelayMs = 0;
      }
      const { rows } = await t.db.query<{ id: string; provider_reference: string }>(
        `SELECT id, provider_reference FROM payments WHERE order_id = $1 AND provider = 'stripe'`,
        [order.id],
      );
      expect(rows).toHaveLength(1);
      const { id, provider_reference: intentId } = rows[0]!;
      await eventually(async () => {
        expect((await paymentRow(t, id)).status).toBe('cancelled');
      }, 30_000);
      expect(stripe.intent(intentId).status).toBe('canceled');
    },
    45_000,
  );

  it('leaves the payment that paid the order alone', async () => {
    const { order, payment, intentId } = await pendingStripePayment();
    await postStripe(t, stripeSucceeded(stripe, intentId));
    await eventually(async () => {
      expect((await orderOf(order.id)).status).toBe('paid');
    });
    await t.app.get(OutboxRelay).idle();
    // The close job queued as the order was paid has run, and found the payment succeeded.
    const payments = t.app.get<Queue>(getQueueToken(QUEUES.payments));
    await eventually(async () => {
      const done = await payments.getJobs(['completed']);
      expect(
        done.some((job) => job.name === JOBS.paymentClose && job.data.paymentId === payment.id),
      ).toBe(true);
    });
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    expect(stripe.requestsTo('POST', `/v1/payment_intents/${intentId}/cancel`)).toHaveLength(0);
    expect(stripe.refunds.filter((r) => r.payment_intent === intentId)).toHaveLength(0);
  });
});
