import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createProduct,
  register,
  signUp,
  stockOf,
  type TestUser,
} from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let redis: PrivateRedis;
let smtp: SmtpSink;
let t: TestApp;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  [redis, smtp] = await Promise.all([PrivateRedis.start(), SmtpSink.start()]);
  t = await startApp({
    REDIS_URL: redis.url,
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    ORDER_PAYMENT_TIMEOUT: '4',
    ORDER_SWEEP_INTERVAL: '60',
  });
  [admin, user] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await redis.kill();
  await smtp.stop();
});

describe('while Redis is down', () => {
  it('takes orders, payments and cancellations, and delivers their mails and deadlines once Redis is back', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const [toPay, toCancel] = await Promise.all([
      createOrder(t, user, [{ product_id: product.id, quantity: 1 }]),
      createOrder(t, user, [{ product_id: product.id, quantity: 1 }]),
    ]);
    await smtp.waitFor(user.email, new RegExp(`Order ${toCancel.id} received`));

    await redis.kill();
    const newcomer = await register(t);
    const pending = await createOrder(t, user, [{ product_id: product.id, quantity: 2 }]);
    expect(
      (await t.http.post(`/api/orders/${toPay.id}/pay`).set('Authorization', user.bearer)).status,
    ).toBe(200);
    expect(
      (await t.http.put(`/api/orders/${toCancel.id}/cancel`).set('Authorization', user.bearer))
        .status,
    ).toBe(200);
    const { rows } = await t.db.query(
      `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.to(newcomer.email)).toEqual([]);

    await redis.restart();
    await smtp.waitFor(newcomer.email, /Welcome/, 1, 20_000);
    await smtp.waitFor(user.email, new RegExp(`Order ${pending.id} received`));
    await smtp.waitFor(user.email, new RegExp(`Receipt for order ${toPay.id}`));
    await smtp.waitFor(user.email, new RegExp(`Order ${toCancel.id} cancelled`));

    // The deadline of the order taken during the outage still applies.
    const expired = await eventually(async () => {
      const res = await t.http.get(`/api/orders/${pending.id}`).set('Authorization', user.bearer);
      expect(res.body.data.status).toBe('cancelled');
      return res.body.data;
    }, 20_000);
    expect(expired.cancel_reason).toBe('payment_timeout');
    expect((await stockOf(t, product.id)).stock).toBe(9);
    await smtp.waitFor(user.email, new RegExp(`Order ${pending.id} cancelled`));
    const unpublished = await t.db.query(
      `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`,
    );
    expect(unpublished.rows[0].n).toBe(0);
    // every mail exactly once
    for (const subject of [
      `Order ${pending.id} received`,
      `Receipt for order ${toPay.id}`,
      `Order ${toCancel.id} cancelled`,
    ]) {
      expect(smtp.to(user.email).filter((m) => m.subject === subject)).toHaveLength(1);
    }
  });
});
