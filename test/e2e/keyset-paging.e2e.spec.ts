import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  type TestUser,
} from '../support/factories.js';
import { startIsolatedApp, type TestApp } from '../support/test-app.js';

// GET /api/products and GET /api/orders by cursor (CONTRACT §9): a walk sees every row once, in
// the order pages show, with ties in every sort column; bad cursors are 400s.

const PRODUCTS = 10_000;
// Every sort, each in one direction (the other shares the code path), and rating both ways:
// its nulls come last in either direction.
const WALKS = [
  ['created_at', 'desc'],
  ['price', 'asc'],
  ['name', 'desc'],
  ['sales', 'asc'],
  ['rating', 'asc'],
  ['rating', 'desc'],
  ['views', 'desc'],
] as const;

interface ListData {
  items: { id: number }[];
  page_size: number;
  next_cursor: string | null;
  total?: number;
}

let t: TestApp;
let admin: TestUser;

const list = async (path: string, query: Record<string, string | number>, user?: TestUser) => {
  const req = t.http.get(path).query(query);
  const res = await (user ? req.set('Authorization', user.bearer) : req);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as ListData;
};

/** Every id, following next_cursor from the first page until it is null. */
async function walk(
  path: string,
  query: Record<string, string | number>,
  user?: TestUser,
): Promise<number[]> {
  const first = await list(path, query, user);
  const ids = first.items.map((item) => item.id);
  let cursor = first.next_cursor;
  while (cursor !== null) {
    const page = await list(path, { ...query, cursor }, user);
    expect(page).not.toHaveProperty('total');
    expect(page).not.toHaveProperty('page');
    ids.push(...page.items.map((item) => item.id));
    cursor = page.next_cursor;
  }
  return ids;
}

beforeAll(async () => {
  t = await startIsolatedApp();
  admin = await signUp(t, { role: 'admin' });
  // Ties in every sort: one created_at per 100 rows, 50 prices, 1,000 names, a fifth unrated.
  await t.db.query(
    `INSERT INTO products (name, price, stock, sales, views, review_count, rating_sum, rating_hundredths, created_at)
     SELECT 'item ' || (i % 1000), (i % 50) + 0.99, 10, i % 97, i % 13,
            CASE WHEN i % 5 = 0 THEN 0 ELSE 1 END,
            CASE WHEN i % 5 = 0 THEN 0 ELSE 1 + i % 5 END,
            CASE WHEN i % 5 = 0 THEN NULL ELSE (1 + i % 5) * 100 END,
            now() - (i % 100) * interval '1 second'
       FROM generate_series(1, $1) AS i`,
    [PRODUCTS],
  );
});

afterAll(async () => {
  await t.close();
});

describe('GET /api/products by cursor', () => {
  it(`walks ${PRODUCTS.toLocaleString('en')} products in every sort without a repeat or a gap, in the order of pages`, async () => {
    const { rows } = await t.db.query<{ id: number }>(
      'SELECT id FROM products WHERE is_active ORDER BY id',
    );
    const all = rows.map((row) => row.id);
    expect(all).toHaveLength(PRODUCTS);
    const walks = WALKS.map(async ([sort, order]) => {
      const ids = await walk('/api/products', { sort, order, page_size: 100 });
      expect(ids, `${sort} ${order}`).toHaveLength(PRODUCTS);
      expect(
        [...ids].sort((a, b) => a - b),
        `${sort} ${order}`,
      ).toEqual(all);
      // The same order as numbered pages: page 37 is the 37th hundred of the walk.
      const page = await list('/api/products', { sort, order, page_size: 100, page: 37 });
      expect(page.items.map((item) => item.id)).toEqual(ids.slice(3600, 3700));
      expect(page.total).toBe(PRODUCTS);
    });
    await Promise.all(walks);
  });

  it('keeps filters while walking, and the last page has next_cursor null', async () => {
    const ids = await walk('/api/products', { min_price: 48, sort: 'price', page_size: 7 });
    expect(ids).toHaveLength((2 * PRODUCTS) / 50);
    const last = await list('/api/products', {
      min_price: 49,
      sort: 'price',
      page_size: 100,
      page: 2,
    });
    expect(last.next_cursor).toBeNull();
    expect(last.total).toBe(PRODUCTS / 50);
  });

  it('takes back every cursor it issues, after the longest name of characters JSON escapes', async () => {
    const category = `long${Date.now()}`;
    for (const name of ['\u0001'.repeat(200), '漢'.repeat(200), 'a']) {
      const res = await t.http
        .post('/api/products')
        .set('Authorization', admin.bearer)
        .send({ name, price: 1, stock: 1, category });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const ids = await walk('/api/products', { category, sort: 'name', order: 'asc', page_size: 1 });
    expect(ids).toHaveLength(3);
  });

  it('refuses a cursor that is garbage, of another sort, tampered, too long, or sent with page (400)', async () => {
    const first = await list('/api/products', { sort: 'price', order: 'asc', page_size: 5 });
    const cursor = first.next_cursor as string;
    const tampered = Buffer.from(JSON.stringify(['products:price:asc', 'abc', 1])).toString(
      'base64url',
    );
    const cases: Record<string, string | number>[] = [
      { cursor: 'not a cursor!' },
      { cursor: Buffer.from('{"a":1}').toString('base64url') },
      { cursor, sort: 'name', order: 'asc' },
      { cursor, sort: 'price', order: 'desc' },
      { cursor: tampered, sort: 'price', order: 'asc' },
      { cursor: 'A'.repeat(4097) },
      { cursor, sort: 'price', order: 'asc', page: 2 },
    ];
    for (const query of cases) {
      const res = await t.http.get('/api/products').query(query);
      expectError(res, 400);
      expect(res.body.errors, JSON.stringify(query)).toHaveProperty('cursor');
    }
  });
});

describe('GET /api/orders by cursor', () => {
  it("walks a customer's orders newest first with equal timestamps, and an admin's walk of every order", async () => {
    const customer = await signUp(t);
    const product = await createProduct(t, admin, { stock: 100 });
    for (let i = 0; i < 12; i += 1) {
      await createOrder(t, customer, [{ product_id: product.id, quantity: 1 }]);
    }
    // Half of them at one instant: the id breaks the tie.
    await t.db.query(
      `UPDATE orders SET created_at = date_trunc('second', now()) WHERE user_id = $1 AND id % 2 = 0`,
      [customer.id],
    );
    const { rows } = await t.db.query<{ id: number }>(
      'SELECT id FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC',
      [customer.id],
    );
    const expected = rows.map((row) => row.id);
    expect(await walk('/api/orders', { page_size: 5 }, customer)).toEqual(expected);
    const everyone = await walk('/api/orders', { page_size: 5, user_id: customer.id }, admin);
    expect(everyone).toEqual(expected);

    const products = await list('/api/products', { page_size: 1 });
    const foreign = await t.http
      .get('/api/orders')
      .query({ cursor: products.next_cursor as string })
      .set('Authorization', customer.bearer);
    expect(expectError(foreign, 400).errors).toHaveProperty('cursor');
  });
});
