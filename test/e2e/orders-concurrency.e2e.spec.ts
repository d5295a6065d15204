import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createProduct,
  placeOrder,
  signUp,
  stockOf,
  unique,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let users: TestUser[];

beforeAll(async () => {
  t = await startApp();
  admin = await signUp(t, { role: 'admin' });
  users = await Promise.all(Array.from({ length: 20 }, () => signUp(t)));
});
afterAll(() => t.close());

const statusCounts = (statuses: number[]): Record<number, number> =>
  statuses.reduce<Record<number, number>>(
    (counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }),
    {},
  );

describe('stock under concurrency', () => {
  it('two hundred concurrent single-unit orders on stock fifty create exactly fifty', async () => {
    const product = await createProduct(t, admin, { stock: 50 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        placeOrder(t, users[i % users.length]!, [{ product_id: product.id, quantity: 1 }]),
      ),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 50, 409: 150 });
    expect((await stockOf(t, product.id)).stock).toBe(0);
    const { rows } = await t.db.query(
      'SELECT count(*) AS n, sum(quantity) AS units FROM order_items WHERE product_id = $1',
      [product.id],
    );
    expect(rows[0]).toEqual({ n: 50, units: 50 });
  });

  it('orders naming the same products in opposite orders never deadlock into a 500', async () => {
    const products = await Promise.all(
      [1, 2, 3].map(() => createProduct(t, admin, { stock: 1000 })),
    );
    const [a, b, c] = products.map((p) => p.id) as [number, number, number];
    const shapes = [
      [a, b, c],
      [c, b, a],
      [b, a, c],
      [c, a, b],
    ];
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        placeOrder(
          t,
          users[i % users.length]!,
          shapes[i % shapes.length]!.map((id) => ({ product_id: id, quantity: 1 })),
        ),
      ),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 80 });
    for (const id of [a, b, c]) expect((await stockOf(t, id)).stock).toBe(920);
  });

  it('multi-item orders competing for scarce stock take it all or nothing', async () => {
    const [x, y] = await Promise.all([
      createProduct(t, admin, { stock: 10 }),
      createProduct(t, admin, { stock: 10 }),
    ]);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        placeOrder(
          t,
          users[i % users.length]!,
          i % 2
            ? [
                { product_id: x.id, quantity: 1 },
                { product_id: y.id, quantity: 2 },
              ]
            : [
                { product_id: y.id, quantity: 2 },
                { product_id: x.id, quantity: 1 },
              ],
        ),
      ),
    );
    const created = results.filter((r) => r.status === 201).length;
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(created).toBe(5);
    expect((await stockOf(t, x.id)).stock).toBe(10 - created);
    expect((await stockOf(t, y.id)).stock).toBe(10 - 2 * created);
  });
});

describe('racing transitions', () => {
  it('pay and cancel racing on one order end in exactly one of them, with stock and sales consistent', async () => {
    const product = await createProduct(t, admin, { stock: 100 });
    const owner = users[0]!;
    const orders = await Promise.all(
      Array.from({ length: 20 }, () =>
        createOrder(t, owner, [{ product_id: product.id, quantity: 2 }]),
      ),
    );
    const outcomes = await Promise.all(
      orders.map(async (order) => {
        const [pay, cancel] = await Promise.all([
          t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', owner.bearer),
          t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', owner.bearer),
        ]);
        return [pay.status, cancel.status].sort().join('/');
      }),
    );
    expect(outcomes.every((o) => o === '200/409')).toBe(true);
    const { rows } = await t.db.query(
      `SELECT status, count(*) AS n FROM orders WHERE id = ANY($1) GROUP BY status`,
      [orders.map((o) => o.id)],
    );
    const byStatus = Object.fromEntries(
      rows.map((r: { status: string; n: number }) => [r.status, r.n]),
    );
    const paid = byStatus.paid ?? 0;
    const cancelled = byStatus.cancelled ?? 0;
    expect(paid + cancelled).toBe(20);
    expect(await stockOf(t, product.id)).toEqual({ stock: 100 - 2 * paid, sales: 2 * paid });
  });

  it('an owner and an admin cancelling at once give the stock back once', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const owner = users[1]!;
    const orders = await Promise.all(
      Array.from({ length: 5 }, () =>
        createOrder(t, owner, [{ product_id: product.id, quantity: 2 }]),
      ),
    );
    const results = await Promise.all(
      orders.flatMap((order) => [
        t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', owner.bearer),
        t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', admin.bearer),
      ]),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 200: 5, 409: 5 });
    expect((await stockOf(t, product.id)).stock).toBe(10);
  });
});

describe('one Idempotency-Key used concurrently', () => {
  it('creates one order; the others are replays of it or told it is in progress', async () => {
    const product = await createProduct(t, admin, { stock: 100 });
    const user = users[2]!;
    const key = unique('key-');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        placeOrder(t, user, [{ product_id: product.id, quantity: 1 }], key),
      ),
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const ids = new Set(
      results.filter((r) => r.status === 201).map((r) => r.body.data.id as number),
    );
    expect(ids.size).toBe(1);
    expect(
      results.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined),
    ).toHaveLength(1);
    for (const conflict of results.filter((r) => r.status === 409)) {
      expect(conflict.body.message).toMatch(/still being processed/);
    }
    expect((await stockOf(t, product.id)).stock).toBe(99);
    const after = await placeOrder(t, user, [{ product_id: product.id, quantity: 1 }], key);
    expect([after.status, after.headers['idempotent-replayed'], after.body.data.id]).toEqual([
      201,
      'true',
      [...ids][0],
    ]);
  });
});
