import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  fakeNotification,
  paymentRow,
  postFake,
  startPayment,
  webhookCount,
  type Payment,
} from '../support/payments.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let smtp: SmtpSink;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    PAYMENT_PROVIDERS: 'fake',
    JOB_BACKOFF_MS: '200',
  });
  [admin, alice, bob] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const orderOf = async (id: number) =>
  (await t.http.get(`/api/orders/${id}`).set('Authorization', alice.bearer)).body.data;

async function pendingFakePayment(quantity = 2, price = 12.5) {
  const product = await createProduct(t, admin, { price, stock: 100 });
  const order = await createOrder(t, alice, [{ product_id: product.id, quantity }]);
  const payment = await createPayment(t, alice, order.id, 'fake');
  return { product, order, payment };
}

const success = (payment: Payment, extra: Partial<{ id: string; amount: number }> = {}) =>
  fakeNotification({
    type: 'payment.succeeded',
    payment_id: payment.id,
    amount: Math.round(payment.amount * 100),
    ...extra,
  });

describe('a fake payment', () => {
  it('is created pending for the order total, and its signed success pays the order once, with a receipt', async () => {
    const { product, order, payment } = await pendingFakePayment(3, 0.1);
    expect(payment).toMatchObject({
      order_id: order.id,
      provider: 'fake',
      status: 'pending',
      amount: 0.3,
      currency: 'USD',
      provider_reference: `fake_${payment.id}`,
      client_action: null,
      refunded_amount: 0,
    });
    expect(payment.id).toMatch(/^[A-Za-z0-9]{16,32}$/);
    const { rows } = await t.db.query('SELECT amount_minor FROM payments WHERE id = $1', [
      payment.id,
    ]);
    expect(rows[0].amount_minor).toBe(30);

    const res = await postFake(t, success(payment));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ received: true, result: 'accepted' });
    expect(await orderOf(order.id)).toMatchObject({ status: 'paid', paid_at: expect.any(String) });
    expect(await stockOf(t, product.id)).toEqual({ stock: 97, sales: 3 });
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    await smtp.waitFor(alice.email, new RegExp(`Receipt for order ${order.id}`));
  });

  it('answers a second call for the same order with the pending payment (200), also when twenty come at once', async () => {
    const { order, payment } = await pendingFakePayment();
    const again = await startPayment(t, alice, order.id, 'fake');
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(payment.id);

    const other = await createOrder(t, alice, [
      { product_id: (await createProduct(t, admin)).id, quantity: 1 },
    ]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => startPayment(t, alice, other.id, 'fake')),
    );
    expect(answers.map((r) => r.status).sort((a, b) => a - b)).toEqual([
      ...Array(19).fill(200),
      201,
    ]);
    expect(new Set(answers.map((r) => r.body.data.id)).size).toBe(1);
    const { rows } = await t.db.query('SELECT count(*) AS n FROM payments WHERE order_id = $1', [
      other.id,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('is refused for a provider not enabled (400), to another customer (404), to an admin (403), and for an order not pending or past its deadline (409)', async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expect(
      expectError(await startPayment(t, alice, order.id, 'stripe'), 400).errors,
    ).toHaveProperty('provider');
    expectError(await startPayment(t, alice, order.id, ''), 400);
    for (const body of [{}, { provider: 7 }, { provider: null }]) {
      const res = await t.http
        .post(`/api/orders/${order.id}/payments`)
        .set('Authorization', alice.bearer)
        .send(body);
      expect(expectError(res, 400).errors).toEqual({ provider: 'provider must be a string' });
    }
    expectError(await startPayment(t, bob, order.id, 'fake'), 404);
    expectError(await startPayment(t, admin, order.id, 'fake'), 403);
    expectError(await startPayment(t, alice, 987654321, 'fake'), 404);

    const late = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    await t.db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      late.id,
    ]);
    expect(expectError(await startPayment(t, alice, late.id, 'fake'), 409).message).toMatch(
      /deadline/,
    );
    await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', alice.bearer);
    expect(expectError(await startPayment(t, alice, order.id, 'fake'), 409).message).toBe(
      'Order is paid and cannot be paid',
    );
    const { rows } = await t.db.query(
      'SELECT count(*) AS n FROM payments WHERE order_id = ANY($1)',
      [[late.id]],
    );
    expect(rows[0].n).toBe(0);
  });

  it("lists an order's payments newest first, to its owner and to admins only", async () => {
    const { order, payment } = await pendingFakePayment();
    await postFake(
      t,
      fakeNotification({ type: 'payment.failed', payment_id: payment.id, amount: 2500 }),
    );
    const second = await createPayment(t, alice, order.id, 'fake');
    const mine = await t.http
      .get(`/api/orders/${order.id}/payments`)
      .set('Authorization', alice.bearer);
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((p: Payment) => [p.id, p.status])).toEqual([
      [second.id, 'pending'],
      [payment.id, 'failed'],
    ]);
    const asAdmin = await t.http
      .get(`/api/orders/${order.id}/payments`)
      .set('Authorization', admin.bearer);
    expect(asAdmin.body.data).toHaveLength(2);
    expectError(
      await t.http.get(`/api/orders/${order.id}/payments`).set('Authorization', bob.bearer),
      404,
    );
  });
});

describe('fake notifications', () => {
  it('rejects a forged, a stale, a wrong-amount and a wrong-currency notification, and changes nothing', async () => {
    const { order, payment } = await pendingFakePayment();
    const before = await webhookCount(t, 'fake', 'rejected');
    const cents = Math.round(payment.amount * 100);
    const base = { type: 'payment.succeeded', payment_id: payment.id, amount: cents };
    const forged = fakeNotification(base, { secret: 'not-the-shop-secret-0123456789abcdef' });
    const stale = fakeNotification(base, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const tampered = {
      ...fakeNotification(base),
      body: JSON.stringify({ ...base, id: 'x', amount: 1 }),
    };
    for (const note of [
      forged,
      stale,
      tampered,
      fakeNotification({ ...base, amount: cents - 1 }),
      fakeNotification({ ...base, currency: 'EUR' }),
      fakeNotification({ ...base, payment_id: 'A'.repeat(24) }),
      { body: JSON.stringify(base), signature: '' },
    ]) {
      const res = await postFake(t, note);
      expectError(res, 400);
    }
    expect((await paymentRow(t, payment.id)).status).toBe('pending');
    expect((await orderOf(order.id)).status).toBe('pending');
    expect(await eventsOf(t, payment.id)).toEqual([]);
    expect(await webhookCount(t, 'fake', 'rejected')).toBe(before + 7);
  });

  it('processes the same notification twice once: the repeat is acknowledged as a duplicate', async () => {
    const { product, payment } = await pendingFakePayment();
    const note = success(payment);
    expect((await postFake(t, note)).body.data.result).toBe('accepted');
    const repeat = await postFake(t, note);
    expect(repeat.status).toBe(200);
    expect(repeat.body.data.result).toBe('duplicate');
    expect(await eventsOf(t, payment.id)).toEqual([note.id]);
    expect((await stockOf(t, product.id)).sales).toBe(2);
  });

  it('fifty concurrent copies of one success pay the order once', async () => {
    const { product, order, payment } = await pendingFakePayment();
    const note = success(payment);
    const answers = await Promise.all(Array.from({ length: 50 }, () => postFake(t, note)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const results = answers.map((r) => r.body.data.result);
    expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(49);
    expect((await orderOf(order.id)).status).toBe('paid');
    expect(await stockOf(t, product.id)).toEqual({ stock: 98, sales: 2 });
    await smtp.waitFor(alice.email, new RegExp(`Receipt for order ${order.id}`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      smtp.to(alice.email).filter((m) => m.subject === `Receipt for order ${order.id}`),
    ).toHaveLength(1);
  });

  it('a failure after a success changes nothing', async () => {
    const { order, payment } = await pendingFakePayment();
    await postFake(t, success(payment));
    const failure = fakeNotification({
      type: 'payment.failed',
      payment_id: payment.id,
      amount: 2500,
    });
    expect((await postFake(t, failure)).status).toBe(200);
    expect((await paymentRow(t, payment.id)).status).toBe('succeeded');
    expect((await orderOf(order.id)).status).toBe('paid');
  });

  it('a refund notified before its success ends the payment refunded; the success after it pays nothing', async () => {
    const { order, payment } = await pendingFakePayment();
    const refund = fakeNotification({
      type: 'payment.refunded',
      payment_id: payment.id,
      amount: 2500,
    });
    expect((await postFake(t, refund)).status).toBe(200);
    expect(await paymentRow(t, payment.id)).toMatchObject({
      status: 'refunded',
      refunded_minor: 2500,
    });
    expect((await postFake(t, success(payment))).status).toBe(200);
    expect((await paymentRow(t, payment.id)).status).toBe('refunded');
    expect((await orderOf(order.id)).status).toBe('pending');
  });

  it('a success for an order cancelled meanwhile is refunded in full, the order left cancelled, the customer mailed', async () => {
    const { product, order, payment } = await pendingFakePayment();
    await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', alice.bearer);
    expect((await postFake(t, success(payment))).body.data.result).toBe('accepted');
    await eventually(async () => {
      expect(await paymentRow(t, payment.id)).toMatchObject({
        status: 'refunded',
        refunded_minor: 2500,
      });
    });
    expect((await orderOf(order.id)).status).toBe('cancelled');
    expect(await stockOf(t, product.id)).toEqual({ stock: 100, sales: 0 });
    const [notice] = await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
    expect(notice!.body).toContain('25.00 USD');
  });
});

describe('instant pay (POST /api/orders/:id/pay)', () => {
  it('records a succeeded fake payment; cancelling the order refunds it and mails a refund notice', async () => {
    const product = await createProduct(t, admin, { price: 4, stock: 10 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expect(
      (await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', alice.bearer)).status,
    ).toBe(200);
    const [payment] = (
      await t.http.get(`/api/orders/${order.id}/payments`).set('Authorization', alice.bearer)
    ).body.data;
    expect(payment).toMatchObject({ provider: 'fake', status: 'succeeded', amount: 4 });

    await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', admin.bearer);
    await eventually(async () => {
      expect((await paymentRow(t, payment.id)).status).toBe('refunded');
    });
    await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
  });
});

describe('the webhook route under junk', () => {
  it('answers an unknown provider, a missing body and an oversized body with a 4xx', async () => {
    expectError(await t.http.post('/api/payments/webhooks/paypal').send({ id: 1 }), 400);
    expectError(await t.http.post('/api/payments/webhooks/fake'), 400);
    expectError(
      await t.http
        .post('/api/payments/webhooks/fake')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('a=1&b=2'),
      400,
    );
    expectError(
      await t.http
        .post('/api/payments/webhooks/fake')
        .set('Content-Type', 'application/json')
        .send('x'.repeat(1_100_000)),
      413,
    );
  });
});
