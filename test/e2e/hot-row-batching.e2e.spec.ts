import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  expectError,
  placeOrder,
  signUp,
  stockOf,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

/**
 * Group commit (ORDER_BATCH_*): a batch closes when it holds BATCH orders, and the window is
 * long, so BATCH concurrent requests always share one batch whatever the machine's speed.
 */
const BATCH = 5;

let t: TestApp;
let admin: TestUser;
let users: TestUser[];

beforeAll(async () => {
  t = await startApp({ ORDER_BATCH_WINDOW_MS: '1000', ORDER_BATCH_MAX: String(BATCH) });
  admin = await signUp(t, { role: 'admin' });
  users = await Promise.all(Array.from({ length: 10 }, () => signUp(t)));
});
afterAll(() => t.close());

const statusCounts = (statuses: number[]): Record<number, number> =>
  statuses.reduce<Record<number, number>>(
    (counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }),
    {},
  );

/** The order_batch_size histogram's batches and the orders in them. */
async function batches(): Promise<{ count: number; sum: number }> {
  const text = (await t.http.get('/metrics')).text;
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { count: value('order_batch_size_count'), sum: value('order_batch_size_sum') };
}

describe('hot rows: concurrent orders placed together', () => {
  it('three hundred concurrent orders on stock one hundred create exactly one hundred', async () => {
    const product = await createProduct(t, admin, { stock: 100 });
    const before = await batches();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        placeOrder(t, users[i % users.length]!, [{ product_id: product.id, quantity: 1 }]),
      ),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 100, 409: 200 });
    for (const refused of results.filter((r) => r.status === 409)) expectError(refused, 409);
    const ids = results.filter((r) => r.status === 201).map((r) => r.body.data.id as number);
    expect(new Set(ids).size).toBe(100);
    expect((await stockOf(t, product.id)).stock).toBe(0);
    const { rows } = await t.db.query(
      'SELECT count(*) AS n, sum(quantity) AS units FROM order_items WHERE product_id = $1',
      [product.id],
    );
    expect(rows[0]).toEqual({ n: 100, units: 100 });
    const after = await batches();
    expect(after.sum - before.sum).toBeGreaterThanOrEqual(300);
    // Batches of BATCH: far fewer writes than orders.
    expect(after.count - before.count).toBeLessThanOrEqual(300 / BATCH + 40);
  });

  it('fails only the bad orders of a batch: unknown, inactive and short each get their own answer', async () => {
    // One after the other, so that a has the lowest id (the items are read back in id order).
    const a = await createProduct(t, admin, { stock: 10 });
    const b = await createProduct(t, admin, { stock: 10 });
    const off = await createProduct(t, admin, { stock: 10 });
    await t.db.query('UPDATE products SET is_active = false WHERE id = $1', [off.id]);
    const before = await batches();
    const [good, unknown, inactive, short, alsoGood] = await Promise.all([
      placeOrder(t, users[0]!, [{ product_id: a.id, quantity: 2 }]),
      placeOrder(t, users[1]!, [
        { product_id: a.id, quantity: 1 },
        { product_id: 99_999_999, quantity: 1 },
      ]),
      placeOrder(t, users[2]!, [{ product_id: off.id, quantity: 1 }]),
      placeOrder(t, users[3]!, [
        { product_id: b.id, quantity: 1 },
        { product_id: a.id, quantity: 50 },
      ]),
      placeOrder(t, users[4]!, [{ product_id: b.id, quantity: 3 }]),
    ]);
    // All five went out in one write.
    expect(await batches()).toEqual({ count: before.count + 1, sum: before.sum + BATCH });
    expect([good, alsoGood].map((r) => r.status)).toEqual([201, 201]);
    expect(expectError(unknown, 404).errors).toEqual({
      'items.1.product_id': 'product 99999999 does not exist or is not on sale',
    });
    expect(expectError(inactive, 404).errors).toHaveProperty(['items.0.product_id']);
    expect(expectError(short, 409).errors).toHaveProperty(['items.1.quantity']);
    expect(good.body.data.items).toMatchObject([{ product_id: a.id, quantity: 2 }]);
    expect(good.body.data.user_id).toBe(users[0]!.id);
    expect(alsoGood.body.data.user_id).toBe(users[4]!.id);
    // The refused orders took nothing, not even their lines that were in stock.
    expect((await stockOf(t, a.id)).stock).toBe(8);
    expect((await stockOf(t, b.id)).stock).toBe(7);
    expect((await stockOf(t, off.id)).stock).toBe(10);
    const { rows } = await t.db.query(
      `SELECT o.user_id, i.product_id, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id
        WHERE i.product_id = ANY($1::bigint[]) ORDER BY i.product_id`,
      [[a.id, b.id, off.id]],
    );
    expect(rows).toEqual([
      { user_id: users[0]!.id, product_id: a.id, quantity: 2 },
      { user_id: users[4]!.id, product_id: b.id, quantity: 3 },
    ]);
  });

  it('takes multi-line orders of one batch all or nothing', async () => {
    // One after the other, so that x has the lower id (the items are read back in id order).
    const x = await createProduct(t, admin, { stock: 3 });
    const y = await createProduct(t, admin, { stock: 5 });
    const before = await batches();
    const results = await Promise.all(
      Array.from({ length: BATCH }, (_, i) =>
        placeOrder(t, users[i]!, [
          { product_id: y.id, quantity: 1 },
          { product_id: x.id, quantity: 1 },
        ]),
      ),
    );
    expect(await batches()).toEqual({ count: before.count + 1, sum: before.sum + BATCH });
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 3, 409: 2 });
    expect((await stockOf(t, x.id)).stock).toBe(0);
    expect((await stockOf(t, y.id)).stock).toBe(2);
    const { rows } = await t.db.query(
      `SELECT product_id, count(*) AS n FROM order_items WHERE product_id = ANY($1::bigint[])
        GROUP BY product_id ORDER BY product_id`,
      [[x.id, y.id]],
    );
    expect(rows).toEqual([
      { product_id: x.id, n: 3 },
      { product_id: y.id, n: 3 },
    ]);
  });

  it('answers each Idempotency-Key of a batch on its own: a key twice in one batch is 409 once', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const items = [{ product_id: product.id, quantity: 1 }];
    const before = await batches();
    const results = await Promise.all([
      placeOrder(t, users[0]!, items, 'batch-key'),
      placeOrder(t, users[0]!, items, 'batch-key'),
      placeOrder(t, users[1]!, items, 'batch-key'),
      placeOrder(t, users[2]!, items),
      placeOrder(t, users[3]!, items, 'other-key'),
    ]);
    expect(await batches()).toEqual({ count: before.count + 1, sum: before.sum + BATCH });
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 409]);
    expect((await stockOf(t, product.id)).stock).toBe(6);
    const first = results.find((r) => r.status === 201 && r.body.data.user_id === users[0]!.id)!;
    const replay = await placeOrder(t, users[0]!, items, 'batch-key');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.data.id).toBe(first.body.data.id);
  });
});
