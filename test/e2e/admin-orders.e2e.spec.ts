import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  type Order,
  type TestUser,
} from '../support/factories.js';
import { startIsolatedApp, type TestApp } from '../support/test-app.js';

/**
 * CONTRACT §8: an admin's GET /api/orders lists every customer's orders and takes the status,
 * user_id, created_from/created_to and min_total/max_total filters. A database of its own, so
 * that "every order" is exactly the orders made here.
 */

let t: TestApp;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

interface Made {
  id: number;
  user_id: number;
  status: string;
  total: number;
  created_at: string;
}
const made: Made[] = [];

// [customer, quantity at 12.50, status, created_at]: days at the edges of 2026-03-01 (UTC).
const PLAN: [0 | 1, number, string, string][] = [
  [0, 1, 'pending', '2026-02-28T23:59:59.999Z'],
  [0, 2, 'paid', '2026-03-01T00:00:00.000Z'],
  [1, 3, 'shipped', '2026-03-01T12:00:00.000Z'],
  [1, 4, 'completed', '2026-03-01T23:59:59.999Z'],
  [0, 5, 'cancelled', '2026-03-02T00:00:00.000Z'],
  [1, 2, 'paid', '2026-03-01T12:00:00.000Z'],
  [0, 8, 'paid', '2026-03-05T08:30:00.000Z'],
  [1, 1, 'pending', '2026-01-15T10:00:00.000Z'],
];

beforeAll(async () => {
  t = await startIsolatedApp();
  [admin, alice, bob] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t), signUp(t)]);
  const product = await createProduct(t, admin, { price: 12.5, stock: 1000 });
  for (const [who, quantity, status, createdAt] of PLAN) {
    const customer = who === 0 ? alice : bob;
    const order = await createOrder(t, customer, [{ product_id: product.id, quantity }]);
    // Placed in the past, in a state: written directly, as no route can backdate an order.
    await t.db.query('UPDATE orders SET status = $2, created_at = $3 WHERE id = $1', [
      order.id,
      status,
      createdAt,
    ]);
    made.push({
      id: order.id,
      user_id: customer.id,
      status,
      total: 12.5 * quantity,
      created_at: createdAt,
    });
  }
}, 60_000);
afterAll(() => t.close());

/** Every order a query lists, walked page by page. */
async function listed(user: TestUser, query: string): Promise<Order[]> {
  const all: Order[] = [];
  for (let page = 1; ; page++) {
    const res = await t.http
      .get(`/api/orders?${query}&page_size=3&page=${page}`)
      .set('Authorization', user.bearer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    all.push(...res.body.data.items);
    if (res.body.data.items.length < 3) {
      expect(all).toHaveLength(res.body.data.total);
      return all;
    }
  }
}

/** The orders matching, newest first with ties by id (higher first). */
const expected = (keep: (order: Made) => boolean): number[] =>
  made
    .filter(keep)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
    .map((order) => order.id);

const day = (order: Made): string => order.created_at.slice(0, 10);

describe('GET /api/orders for an admin', () => {
  it.each([
    ['', () => true],
    ['status=paid', (o: Made) => o.status === 'paid'],
    ['created_from=2026-03-01', (o: Made) => day(o) >= '2026-03-01'],
    ['created_to=2026-03-01', (o: Made) => day(o) <= '2026-03-01'],
    ['created_from=2026-03-01&created_to=2026-03-01', (o: Made) => day(o) === '2026-03-01'],
    // ISO date-times are instants, both bounds inclusive.
    [
      'created_from=2026-03-01T12:00:00.000Z',
      (o: Made) => o.created_at >= '2026-03-01T12:00:00.000Z',
    ],
    ['created_to=2026-03-01T12:00:00Z', (o: Made) => o.created_at <= '2026-03-01T12:00:00.000Z'],
    [
      'created_from=2026-03-01T13:00:00%2B01:00&created_to=2026-03-01T23:59:59.999Z',
      (o: Made) =>
        o.created_at >= '2026-03-01T12:00:00.000Z' && o.created_at <= '2026-03-01T23:59:59.999Z',
    ],
    ['min_total=25', (o: Made) => o.total >= 25],
    ['max_total=37.5', (o: Made) => o.total <= 37.5],
    ['min_total=25&max_total=25', (o: Made) => o.total === 25],
    ['min_total=25.01&max_total=49.99', (o: Made) => o.total > 25 && o.total < 50],
    [
      'status=paid&created_from=2026-03-01&created_to=2026-03-04&min_total=25',
      (o: Made) =>
        o.status === 'paid' && day(o) >= '2026-03-01' && day(o) <= '2026-03-04' && o.total >= 25,
    ],
  ])(
    'lists exactly the matching orders of every customer for ?%s, newest first',
    async (query, keep) => {
      const orders = await listed(admin, query);
      expect(orders.map((o) => o.id)).toEqual(expected(keep));
      expect(orders.every((o) => o.items.length === 1)).toBe(true);
    },
  );

  it('filters by user_id, with the other filters too', async () => {
    expect((await listed(admin, `user_id=${bob.id}`)).map((o) => o.id)).toEqual(
      expected((o) => o.user_id === bob.id),
    );
    expect(
      (await listed(admin, `user_id=${alice.id}&status=paid&max_total=25`)).map((o) => o.id),
    ).toEqual(expected((o) => o.user_id === alice.id && o.status === 'paid' && o.total <= 25));
    expect(await listed(admin, `user_id=${admin.id}`)).toEqual([]);
  });

  it.each([
    ['created_from=2026-02-30', 'created_from'],
    ['created_to=2026-13-01', 'created_to'],
    ['created_from=2026/03/01', 'created_from'],
    ['created_from=2026-02-30T00:00:00Z', 'created_from'],
    ['created_to=2026-03-01T00:00:00', 'created_to'],
    ['created_from=0000-01-01', 'created_from'],
    ['created_from=2026-03-01T12:00:00.001Z&created_to=2026-03-01T12:00:00Z', 'created_from'],
    ['created_from=2026-03-02&created_to=2026-03-01', 'created_from'],
    ['min_total=-1', 'min_total'],
    ['min_total=1.234', 'min_total'],
    ['min_total=0.0000001', 'min_total'],
    ['max_total=0.00000001', 'max_total'],
    ['max_total=abc', 'max_total'],
    // What Number() would read as 0 or 16 is no amount either.
    ['max_total=', 'max_total'],
    ['min_total=%20', 'min_total'],
    ['max_total=0x10', 'max_total'],
    ['min_total=1e2', 'min_total'],
    ['max_total=10000000000', 'max_total'],
    ['min_total=10&max_total=5', 'min_total'],
  ])('refuses ?%s with 400 naming the field', async (query, field) => {
    const res = await t.http.get(`/api/orders?${query}`).set('Authorization', admin.bearer);
    expect(Object.keys(expectError(res, 400).errors ?? {})).toEqual([field]);
  });
});

describe('GET /api/orders for a customer', () => {
  it('lists only their own orders, filtered by status if asked', async () => {
    expect((await listed(alice, '')).map((o) => o.id)).toEqual(
      expected((o) => o.user_id === alice.id),
    );
    expect((await listed(bob, 'status=pending')).map((o) => o.id)).toEqual(
      expected((o) => o.user_id === bob.id && o.status === 'pending'),
    );
  });

  it.each([
    'user_id=1',
    'created_from=2026-03-01',
    'created_to=2026-03-01',
    'min_total=1',
    'max_total=100',
    'status=paid&min_total=1&created_to=2026-03-01',
  ])('refuses the admin filter ?%s with 403', async (query) => {
    const res = await t.http.get(`/api/orders?${query}`).set('Authorization', alice.bearer);
    expect(expectError(res, 403).message).toMatch(/^Only administrators may filter orders by /);
  });
});
