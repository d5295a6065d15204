import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderSweeper } from '../../src/modules/orders/order-sweeper.js';
import {
  createOrder,
  createProduct,
  expectError,
  placeOrder,
  signUp,
  stockOf,
  type Order,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

// CONTRACT §5 "Abuse limits", at the contract's defaults.
const MAX_ORDERS = 10;
const MAX_UNITS = 100;

let t: TestApp;
let unlimited: TestApp;
let admin: TestUser;

beforeAll(async () => {
  [t, unlimited] = await Promise.all([
    startApp({
      ORDER_MAX_PENDING_PER_USER: String(MAX_ORDERS),
      ORDER_MAX_PENDING_UNITS_PER_USER: String(MAX_UNITS),
    }),
    startApp({ ORDER_MAX_PENDING_PER_USER: '0', ORDER_MAX_PENDING_UNITS_PER_USER: '0' }),
  ]);
  admin = await signUp(t, { role: 'admin' });
});
afterAll(async () => {
  await Promise.all([t.close(), unlimited.close()]);
});

const one = (productId: number, quantity = 1) => [{ product_id: productId, quantity }];

const pendingOf = async (app: TestApp, user: TestUser): Promise<{ n: number; units: number }> => {
  const { rows } = await app.db.query(
    `SELECT count(DISTINCT o.id) AS n, coalesce(sum(i.quantity), 0)::int AS units
       FROM orders o JOIN order_items i ON i.order_id = o.id
      WHERE o.user_id = $1 AND o.status = 'pending'`,
    [user.id],
  );
  return rows[0] as { n: number; units: number };
};

/** A customer holding exactly MAX_ORDERS pending single-unit orders. */
async function customerAtOrderCap(): Promise<{
  user: TestUser;
  orders: Order[];
  productId: number;
}> {
  const user = await signUp(t);
  const product = await createProduct(t, admin, { stock: 1000 });
  const orders: Order[] = [];
  for (let i = 0; i < MAX_ORDERS; i++) orders.push(await createOrder(t, user, one(product.id)));
  return { user, orders, productId: product.id };
}

const expectOrderCap = (res: Parameters<typeof expectError>[0]) => {
  const body = expectError(res, 409);
  expect(body.message).toBe('Limit of pending orders reached');
  expect(body.errors).toEqual({
    pending_orders: `at most ${MAX_ORDERS} pending orders per customer, and you have ${MAX_ORDERS}: pay or cancel one first`,
  });
};

describe('pending orders per customer (ORDER_MAX_PENDING_PER_USER)', () => {
  it('refuses the order past the cap with 409 naming pending_orders, and writes nothing', async () => {
    const { user, productId } = await customerAtOrderCap();
    const before = await stockOf(t, productId);
    expectOrderCap(await placeOrder(t, user, one(productId)));
    expect(await stockOf(t, productId)).toEqual(before);
    expect(await pendingOf(t, user)).toEqual({ n: MAX_ORDERS, units: MAX_ORDERS });
  });

  it('lets twenty concurrent orders of one customer create exactly the cap', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { stock: 1000 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => placeOrder(t, user, one(product.id))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_ORDERS);
    for (const refused of results.filter((r) => r.status !== 201)) expectOrderCap(refused);
    expect(await pendingOf(t, user)).toEqual({ n: MAX_ORDERS, units: MAX_ORDERS });
    expect((await stockOf(t, product.id)).stock).toBe(1000 - MAX_ORDERS);
  });

  it('counts each customer on their own', async () => {
    const { productId } = await customerAtOrderCap();
    const other = await signUp(t);
    expect((await placeOrder(t, other, one(productId))).status).toBe(201);
  });

  it('applies to an admin placing an order too', async () => {
    const boss = await signUp(t, { role: 'admin' });
    const product = await createProduct(t, admin, { stock: 1000 });
    for (let i = 0; i < MAX_ORDERS; i++) await createOrder(t, boss, one(product.id));
    expectOrderCap(await placeOrder(t, boss, one(product.id)));
  });
});

describe('units in pending orders per customer (ORDER_MAX_PENDING_UNITS_PER_USER)', () => {
  it('lets a customer reach the cap exactly, and refuses a unit more with 409 naming pending_units', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { stock: 1000 });
    await createOrder(t, user, one(product.id, 60));
    const refused = expectError(await placeOrder(t, user, one(product.id, 41)), 409);
    expect(refused.message).toBe('Limit of units in pending orders reached');
    expect(refused.errors).toEqual({
      pending_units: `at most ${MAX_UNITS} units in pending orders per customer: you hold 60 and this order adds 41`,
    });
    expect((await placeOrder(t, user, one(product.id, 40))).status).toBe(201);
    expect(await pendingOf(t, user)).toEqual({ n: 2, units: MAX_UNITS });
  });

  it('holds under concurrency: orders of 15 units racing stop at 90 units', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { stock: 1000 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => placeOrder(t, user, one(product.id, 15))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(6);
    for (const refused of results.filter((r) => r.status !== 201)) {
      expect(Object.keys(expectError(refused, 409).errors ?? {})).toEqual(['pending_units']);
    }
    expect(await pendingOf(t, user)).toEqual({ n: 6, units: 90 });
  });

  it('names both limits when an order passes both', async () => {
    const { user, productId } = await customerAtOrderCap();
    const body = expectError(await placeOrder(t, user, one(productId, 91)), 409);
    expect(body.message).toBe('Limit of pending orders and units in pending orders reached');
    expect(Object.keys(body.errors ?? {})).toEqual(['pending_orders', 'pending_units']);
  });
});

describe('leaving pending frees the slot and the units', () => {
  it('frees them when the customer cancels', async () => {
    const { user, orders, productId } = await customerAtOrderCap();
    const cancel = await t.http
      .put(`/api/orders/${orders[0]!.id}/cancel`)
      .set('Authorization', user.bearer);
    expect(cancel.status).toBe(200);
    expect((await placeOrder(t, user, one(productId))).status).toBe(201);
    expectOrderCap(await placeOrder(t, user, one(productId)));
  });

  it('frees them when an admin cancels', async () => {
    const { user, orders, productId } = await customerAtOrderCap();
    const cancel = await t.http
      .put(`/api/orders/${orders[0]!.id}/cancel`)
      .set('Authorization', admin.bearer);
    expect(cancel.status).toBe(200);
    expect((await placeOrder(t, user, one(productId))).status).toBe(201);
  });

  it('frees them when the order is paid', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { stock: 1000 });
    const big = await createOrder(t, user, one(product.id, MAX_UNITS));
    expect((await placeOrder(t, user, one(product.id))).status).toBe(409);
    const pay = await t.http.post(`/api/orders/${big.id}/pay`).set('Authorization', user.bearer);
    expect(pay.status).toBe(200);
    expect((await placeOrder(t, user, one(product.id, MAX_UNITS))).status).toBe(201);
  });

  it('frees them when the order expires unpaid', async () => {
    const { user, orders, productId } = await customerAtOrderCap();
    await t.db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      orders[0]!.id,
    ]);
    expect((await t.app.get(OrderSweeper).sweep()).expired).toBeGreaterThanOrEqual(1);
    const expired = await t.http
      .get(`/api/orders/${orders[0]!.id}`)
      .set('Authorization', user.bearer);
    expect(expired.body.data).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'payment_timeout',
    });
    expect((await placeOrder(t, user, one(productId))).status).toBe(201);
  });

  it('frees an order once, however many cancels race for it', async () => {
    const { user, orders, productId } = await customerAtOrderCap();
    const target = orders[0]!.id;
    const results = await Promise.all([
      t.http.put(`/api/orders/${target}/cancel`).set('Authorization', user.bearer),
      t.http.put(`/api/orders/${target}/cancel`).set('Authorization', admin.bearer),
      t.http.put(`/api/orders/${target}/cancel`).set('Authorization', user.bearer),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect((await placeOrder(t, user, one(productId))).status).toBe(201);
    expectOrderCap(await placeOrder(t, user, one(productId)));
  });
});

describe('counters that drifted from the orders', () => {
  it('are recounted by the sweep, so a customer is never locked out for good', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { stock: 1000 });
    await createOrder(t, user, one(product.id, 3));
    // What an older version settling this customer's orders without counting would leave.
    await t.db.query(
      `UPDATE customer_holds SET pending_orders = $2, pending_units = 3 WHERE user_id = $1`,
      [user.id, MAX_ORDERS],
    );
    expect((await placeOrder(t, user, one(product.id))).status).toBe(409);
    expect((await t.app.get(OrderSweeper).sweep()).holdsRecounted).toBeGreaterThanOrEqual(1);
    const { rows } = await t.db.query(
      'SELECT pending_orders, pending_units FROM customer_holds WHERE user_id = $1',
      [user.id],
    );
    expect(rows[0]).toEqual({ pending_orders: 1, pending_units: 3 });
    expect((await placeOrder(t, user, one(product.id))).status).toBe(201);
  });
});

describe('with both caps at 0', () => {
  it('lets one customer hold any number of pending orders and units', async () => {
    const [boss, user] = await Promise.all([
      signUp(unlimited, { role: 'admin' }),
      signUp(unlimited),
    ]);
    const product = await createProduct(unlimited, boss, { stock: 10_000 });
    for (let i = 0; i < MAX_ORDERS + 5; i++) {
      expect((await placeOrder(unlimited, user, one(product.id, 50))).status).toBe(201);
    }
    expect(await pendingOf(unlimited, user)).toEqual({ n: MAX_ORDERS + 5, units: 750 });
  });
});
