import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import {
  createOrder,
  createProduct,
  signUp,
  stockOf,
  type Order,
  type TestUser,
} from '../support/factories.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

const TIMEOUT_SECONDS = 2;
let t: TestApp;
let smtp: SmtpSink;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    ORDER_PAYMENT_TIMEOUT: String(TIMEOUT_SECONDS),
    ORDER_SWEEP_INTERVAL: '1',
    JOB_BACKOFF_MS: '200',
  });
  [admin, user] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const orderOf = async (id: number): Promise<Order> =>
  (await t.http.get(`/api/orders/${id}`).set('Authorization', user.bearer)).body.data;
const ordersQueue = (): Queue => t.app.get<Queue>(getQueueToken(QUEUES.orders));

describe('payment timeout', () => {
  it('cancels an unpaid order at its deadline, gives its stock back and mails a notice', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await createOrder(t, user, [{ product_id: product.id, quantity: 3 }]);
    expect(Date.parse(order.expires_at) - Date.parse(order.created_at)).toBe(
      TIMEOUT_SECONDS * 1000,
    );
    expect((await stockOf(t, product.id)).stock).toBe(7);
    const cancelled = await eventually(async () => {
      const now = await orderOf(order.id);
      expect(now.status).toBe('cancelled');
      return now;
    });
    expect(cancelled.cancel_reason).toBe('payment_timeout');
    expect(Date.parse(cancelled.cancelled_at!)).toBeGreaterThanOrEqual(
      Date.parse(order.expires_at),
    );
    expect((await stockOf(t, product.id)).stock).toBe(10);
    const [notice] = await smtp.waitFor(user.email, new RegExp(`Order ${order.id} cancelled`));
    expect(notice!.body).toContain('not paid in time');
    expect((await t.http.get(`/api/products/${product.id}`)).body.data.stock).toBe(10);
  });

  it('leaves a paid order alone', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await createOrder(t, user, [{ product_id: product.id, quantity: 2 }]);
    await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', user.bearer);
    await new Promise((resolve) => setTimeout(resolve, (TIMEOUT_SECONDS + 2) * 1000));
    expect((await orderOf(order.id)).status).toBe('paid');
    expect(await stockOf(t, product.id)).toEqual({ stock: 8, sales: 2 });
    const job = await ordersQueue().getJob(`order-timeout-${order.id}`);
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toBe('left alone');
  });

  it('is caught by the sweep when its delayed job is deleted', async () => {
    const product = await createProduct(t, admin, { stock: 5 });
    const order = await createOrder(t, user, [{ product_id: product.id, quantity: 5 }]);
    const jobId = `order-timeout-${order.id}`;
    await eventually(async () => {
      expect(await ordersQueue().getJob(jobId)).toBeDefined();
    });
    expect(await ordersQueue().remove(jobId)).toBe(1);
    const cancelled = await eventually(async () => {
      const now = await orderOf(order.id);
      expect(now.status).toBe('cancelled');
      return now;
    });
    expect(cancelled.cancel_reason).toBe('payment_timeout');
    expect((await stockOf(t, product.id)).stock).toBe(5);
    await smtp.waitFor(user.email, new RegExp(`Order ${order.id} cancelled`));
  });

  it('ends a race between pay, cancel and the timeout in exactly one of them', async () => {
    const product = await createProduct(t, admin, { stock: 1000 });
    const orders = await Promise.all(
      Array.from({ length: 12 }, () =>
        createOrder(t, user, [{ product_id: product.id, quantity: 1 }]),
      ),
    );
    // Aim the payments and cancellations around the deadline.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_SECONDS * 1000 - 150));
    const answers = await Promise.all(
      orders.map(async (order, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i % 6) * 60));
        const res =
          i % 2 === 0
            ? await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', user.bearer)
            : await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', user.bearer);
        return res.status;
      }),
    );
    expect(answers.every((status) => status === 200 || status === 409)).toBe(true);
    const final = await eventually(async () => {
      const all = await Promise.all(orders.map((order) => orderOf(order.id)));
      expect(all.every((order) => order.status !== 'pending')).toBe(true);
      return all;
    });
    final.forEach((order, i) => {
      const won = answers[i] === 200;
      if (i % 2 === 0) expect(order.status).toBe(won ? 'paid' : 'cancelled');
      else
        expect([order.status, order.cancel_reason]).toEqual([
          'cancelled',
          won ? 'user' : 'payment_timeout',
        ]);
      if (!won) expect(order.cancel_reason).toBe('payment_timeout');
    });
    const paid = final.filter((order) => order.status === 'paid').length;
    expect(await stockOf(t, product.id)).toEqual({ stock: 1000 - paid, sales: paid });
  });
});
