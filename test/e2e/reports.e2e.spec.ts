import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  type TestUser,
} from '../support/factories.js';
import { ReportsRepository } from '../../src/modules/reports/reports.repository.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually } from '../support/smtp-sink.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await startIsolatedApp({ RUN_WORKERS: 'true' });
  [admin, customer] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(() => t.close());

const today = (): string => new Date().toISOString().slice(0, 10);
const request = (body: object, as = admin) =>
  t.http.post('/api/reports/sales').set('Authorization', as.bearer).send(body);

describe('sales reports', () => {
  it('queues a report (202 with a job id) whose result counts paid orders only', async () => {
    const [cup, pot] = await Promise.all([
      createProduct(t, admin, { name: 'Cup', price: 0.1 }),
      createProduct(t, admin, { name: 'Pot', price: 20 }),
    ]);
    const paid = await createOrder(t, customer, [
      { product_id: cup.id, quantity: 3 },
      { product_id: pot.id, quantity: 1 },
    ]);
    const shipped = await createOrder(t, customer, [{ product_id: cup.id, quantity: 5 }]);
    await createOrder(t, customer, [{ product_id: pot.id, quantity: 9 }]); // pending: not a sale
    const cancelled = await createOrder(t, customer, [{ product_id: pot.id, quantity: 9 }]);
    for (const order of [paid, shipped])
      await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', customer.bearer);
    await t.http.put(`/api/orders/${shipped.id}/ship`).set('Authorization', admin.bearer);
    await t.http.put(`/api/orders/${cancelled.id}/cancel`).set('Authorization', customer.bearer);

    const res = await request({ start_date: today(), end_date: today() });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({ job_id: expect.any(String) });
    const report = await eventually(async () => {
      const status = await t.http
        .get(`/api/reports/sales/${res.body.data.job_id}`)
        .set('Authorization', admin.bearer);
      expect(status.body.data.status).toBe('completed');
      return status.body.data;
    });
    expect(report.result).toEqual({
      total_sales: 20.8,
      total_orders: 2,
      top_products: [
        { product_id: cup.id, name: 'Cup', quantity: 8 },
        { product_id: pot.id, name: 'Pot', quantity: 1 },
      ],
    });
  });

  it('counts UTC days whatever time zone the database session has', async () => {
    const product = await createProduct(t, admin, { price: 7 });
    const order = await createOrder(t, customer, [{ product_id: product.id, quantity: 1 }]);
    await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', customer.bearer);
    const client = await t.db.connect();
    try {
      // A zone whose local day, read as a UTC one, would leave out an order placed now.
      const zone = new Date().getUTCHours() >= 12 ? 'Pacific/Kiritimati' : 'Etc/GMT+12';
      await client.query(`SET TIME ZONE '${zone}'`);
      const reports = new ReportsRepository();
      const inZone = await reports.topProducts(client, today(), today());
      expect(inZone.find((row) => row.product_id === product.id)?.quantity).toBe(1);
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
  });

  it('reports nothing for days without sales, over years, dates given as ISO date-times', async () => {
    const res = await request({
      start_date: '2001-01-01T00:00:00.000Z',
      end_date: '2009-12-31T12:00:00+00:00',
    });
    expect(res.status).toBe(202);
    const report = await eventually(async () => {
      const status = await t.http
        .get(`/api/reports/sales/${res.body.data.job_id}`)
        .set('Authorization', admin.bearer);
      expect(status.body.data.status).toBe('completed');
      return status.body.data;
    });
    expect(report.result).toEqual({ total_sales: 0, total_orders: 0, top_products: [] });
  });

  it.each([
    [{ start_date: '2026-01-01' }, 'end_date'],
    [{ start_date: '01/01/2026', end_date: '2026-01-02' }, 'start_date'],
    [{ start_date: '2026-02-30', end_date: '2026-03-01' }, 'start_date'],
    [{ start_date: '2026-03-01', end_date: '2026-02-01' }, 'end_date'],
    [{ start_date: '2026-01-01T25:00:00Z', end_date: '2026-01-02' }, 'start_date'],
    // Days PostgreSQL has not (year 0000), or not on the calendar inside a date-time: a 400,
    // not a job that fails on every attempt.
    [{ start_date: '0000-01-01', end_date: '2026-01-02' }, 'start_date'],
    [{ start_date: '0001-01-01T00:00:00+01:00', end_date: '2026-01-02' }, 'start_date'],
    [{ start_date: '2026-01-01', end_date: '2026-02-30T12:00:00Z' }, 'end_date'],
    [{ start_date: '2026-01-01', end_date: '2026-01-02', format: 'csv' }, 'format'],
  ])('answers %j with 400 naming %s', async (body, field) => {
    expect(expectError(await request(body), 400).errors).toHaveProperty(field);
  });

  it('is for admins only', async () => {
    expectError(await request({ start_date: today(), end_date: today() }, customer), 403);
    expectError(
      await t.http.get('/api/reports/sales/1').set('Authorization', customer.bearer),
      403,
    );
  });

  it('answers an unknown job with 404 and a malformed or non-numeric id with 400', async () => {
    expectError(
      await t.http.get('/api/reports/sales/999999').set('Authorization', admin.bearer),
      404,
    );
    for (const id of ['a%20b', 'abc', '0', '01', '-1', '1.5', '1'.repeat(17)]) {
      const error = expectError(
        await t.http.get(`/api/reports/sales/${id}`).set('Authorization', admin.bearer),
        400,
      );
      expect(error.errors, id).toHaveProperty('job_id');
    }
  });
});

describe('sales reports while Redis is down', () => {
  it('answers 503 in the error format', async () => {
    const redis = await PrivateRedis.start();
    const app = await startApp({ REDIS_URL: redis.url });
    try {
      const boss = await signUp(app, { role: 'admin' });
      await redis.kill();
      const res = await app.http
        .post('/api/reports/sales')
        .set('Authorization', boss.bearer)
        .send({ start_date: today(), end_date: today() });
      expectError(res, 503);
    } finally {
      await app.close();
    }
  });
});
