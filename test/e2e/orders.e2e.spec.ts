import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderSweeper } from '../../src/modules/orders/order-sweeper.js';
import {
  createOrder,
  createProduct,
  expectError,
  placeOrder,
  signUp,
  stockOf,
  unique,
  type Order,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await startApp({ ORDER_PAYMENT_TIMEOUT: '1800' });
  [admin, alice, bob] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t), signUp(t)]);
});
afterAll(() => t.close());

const act = (user: TestUser, id: number, action: 'pay' | 'cancel' | 'ship' | 'complete') =>
  (action === 'pay'
    ? t.http.post(`/api/orders/${id}/pay`)
    : t.http.put(`/api/orders/${id}/${action}`)
  ).set('Authorization', user.bearer);

describe('POST /api/orders', () => {
  it('creates a pending order with exact money, snapshots and a payment deadline', async () => {
    const cup = await createProduct(t, admin, { name: 'Cup', price: 0.1, stock: 10 });
    const res = await placeOrder(t, alice, [{ product_id: cup.id, quantity: 3 }]);
    expect(res.status).toBe(201);
    const order: Order = res.body.data;
    expect(order).toMatchObject({
      user_id: alice.id,
      status: 'pending',
      total_amount: 0.3,
      items: [
        { product_id: cup.id, product_name: 'Cup', quantity: 3, unit_price: 0.1, subtotal: 0.3 },
      ],
      paid_at: null,
      cancelled_at: null,
      cancel_reason: null,
    });
    expect(Date.parse(order.expires_at) - Date.parse(order.created_at)).toBe(1800 * 1000);
    expect((await stockOf(t, cup.id)).stock).toBe(7);
    const { rows } = await t.db.query('SELECT total_amount::text FROM orders WHERE id = $1', [
      order.id,
    ]);
    expect(rows[0].total_amount).toBe('0.30');
  });

  it('keeps the name and price an item had when ordered', async () => {
    const product = await createProduct(t, admin, { name: 'Old name', price: 5 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    await t.http
      .patch(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ name: 'New name', price: 9 });
    const res = await t.http.get(`/api/orders/${order.id}`).set('Authorization', alice.bearer);
    expect(res.body.data.items[0]).toMatchObject({ product_name: 'Old name', unit_price: 5 });
  });

  it('adds several lines exactly', async () => {
    const [a, b] = await Promise.all([
      createProduct(t, admin, { price: 19.99 }),
      createProduct(t, admin, { price: 0.01 }),
    ]);
    const order = await createOrder(t, alice, [
      { product_id: a.id, quantity: 3 },
      { product_id: b.id, quantity: 7 },
    ]);
    expect(order.total_amount).toBe(60.04);
    expect(order.items.map((i) => i.subtotal)).toEqual([59.97, 0.07]);
  });

  it('shows the new stock on the very next product read', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    await t.http.get(`/api/products/${product.id}`);
    expect((await t.http.get(`/api/products/${product.id}`)).headers['x-cache']).toBe('HIT');
    await createOrder(t, alice, [{ product_id: product.id, quantity: 4 }]);
    expect((await t.http.get(`/api/products/${product.id}`)).body.data.stock).toBe(6);
  });

  it('answers a missing or inactive product with 404 and writes nothing', async () => {
    const [keep, gone] = await Promise.all([
      createProduct(t, admin, { stock: 5 }),
      createProduct(t, admin),
    ]);
    await t.http.delete(`/api/products/${gone.id}`).set('Authorization', admin.bearer);
    const before = await t.db.query('SELECT count(*) AS n FROM orders WHERE user_id = $1', [
      bob.id,
    ]);
    for (const missing of [gone.id, 987654321]) {
      const res = await placeOrder(t, bob, [
        { product_id: keep.id, quantity: 2 },
        { product_id: missing, quantity: 1 },
      ]);
      expect(expectError(res, 404).errors).toEqual({ 'items.1.product_id': expect.any(String) });
    }
    expect((await stockOf(t, keep.id)).stock).toBe(5);
    const after = await t.db.query('SELECT count(*) AS n FROM orders WHERE user_id = $1', [bob.id]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('answers short stock with 409 and writes nothing', async () => {
    const [a, b] = await Promise.all([
      createProduct(t, admin, { stock: 5 }),
      createProduct(t, admin, { stock: 2 }),
    ]);
    const res = await placeOrder(t, bob, [
      { product_id: a.id, quantity: 5 },
      { product_id: b.id, quantity: 3 },
    ]);
    expect(expectError(res, 409).errors).toEqual({
      'items.1.quantity': `only 2 of product ${b.id} in stock`,
    });
    expect((await stockOf(t, a.id)).stock).toBe(5);
    expect((await stockOf(t, b.id)).stock).toBe(2);
  });

  it.each([
    [{ items: [] }, 'items'],
    [{ items: 'x' }, 'items'],
    [{}, 'items'],
    [{ items: [{ product_id: 1, quantity: 0 }] }, 'items.0.quantity'],
    [{ items: [{ product_id: 1, quantity: 1001 }] }, 'items.0.quantity'],
    [{ items: [{ product_id: 1, quantity: 1.5 }] }, 'items.0.quantity'],
    [{ items: [{ product_id: 1, quantity: '2' }] }, 'items.0.quantity'],
    [{ items: [{ product_id: 'a', quantity: 1 }] }, 'items.0.product_id'],
    [{ items: [{ product_id: 0, quantity: 1 }] }, 'items.0.product_id'],
    [{ items: [{ product_id: 1 }] }, 'items.0.quantity'],
    [{ items: [{ product_id: 1, quantity: 1, price: 0.01 }] }, 'items.0.price'],
    [
      {
        items: [
          { product_id: 1, quantity: 1 },
          { product_id: 1, quantity: 2 },
        ],
      },
      'items',
    ],
    [
      { items: Array.from({ length: 51 }, (_, i) => ({ product_id: i + 1, quantity: 1 })) },
      'items',
    ],
    [{ items: [null] }, 'items.0'],
  ])('answers %j with 400 naming %s', async (body, field) => {
    const res = await t.http.post('/api/orders').set('Authorization', alice.bearer).send(body);
    expect(Object.keys(expectError(res, 400).errors ?? {})).toContain(field);
  });

  it.each(['status', 'user_id', 'total_amount', 'id', 'paid_at'])(
    'refuses %s in the body',
    async (field) => {
      const product = await createProduct(t, admin);
      const res = await t.http
        .post('/api/orders')
        .set('Authorization', alice.bearer)
        .send({ items: [{ product_id: product.id, quantity: 1 }], [field]: 'paid' });
      expect(expectError(res, 400).errors).toHaveProperty(field);
    },
  );

  it('needs authentication', async () => {
    expectError(
      await t.http.post('/api/orders').send({ items: [{ product_id: 1, quantity: 1 }] }),
      401,
    );
  });
});

describe('GET /api/orders and /api/orders/:id', () => {
  it("lists the caller's orders newest first, with items, paged and filtered by status", async () => {
    const carol = await signUp(t);
    const product = await createProduct(t, admin);
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await createOrder(t, carol, [{ product_id: product.id, quantity: 1 }]));
    await act(carol, made[1]!.id, 'pay');
    const all = await t.http.get('/api/orders?page_size=2').set('Authorization', carol.bearer);
    expect(all.body.data).toMatchObject({ total: 3, page: 1, page_size: 2, total_pages: 2 });
    expect(all.body.data.items.map((o: Order) => o.id)).toEqual([made[2]!.id, made[1]!.id]);
    expect(all.body.data.items[0].items).toHaveLength(1);
    const paid = await t.http.get('/api/orders?status=paid').set('Authorization', carol.bearer);
    expect(paid.body.data.items.map((o: Order) => o.id)).toEqual([made[1]!.id]);
  });

  it("never shows another user's orders to a customer", async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expectError(await t.http.get(`/api/orders/${order.id}`).set('Authorization', bob.bearer), 404);
    const list = await t.http.get('/api/orders?page_size=100').set('Authorization', bob.bearer);
    expect(list.body.data.items.some((o: Order) => o.user_id !== bob.id)).toBe(false);
    expectError(
      await t.http.get(`/api/orders?user_id=${alice.id}`).set('Authorization', bob.bearer),
      403,
    );
  });

  it('lets an admin read any order and filter by user_id', async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expect(
      (await t.http.get(`/api/orders/${order.id}`).set('Authorization', admin.bearer)).body.data.id,
    ).toBe(order.id);
    const res = await t.http
      .get(`/api/orders?user_id=${alice.id}&page_size=100`)
      .set('Authorization', admin.bearer);
    expect(res.body.data.items.map((o: Order) => o.id)).toContain(order.id);
    expect(res.body.data.items.every((o: Order) => o.user_id === alice.id)).toBe(true);
  });

  it('validates ids and filters', async () => {
    expectError(await t.http.get('/api/orders/abc').set('Authorization', alice.bearer), 400);
    expectError(await t.http.get('/api/orders/987654321').set('Authorization', alice.bearer), 404);
    expectError(
      await t.http.get('/api/orders?status=lost').set('Authorization', alice.bearer),
      400,
    );
    expectError(await t.http.get('/api/orders?user_id=x').set('Authorization', admin.bearer), 400);
    expectError(
      await t.http.get('/api/orders?page_size=101').set('Authorization', alice.bearer),
      400,
    );
  });
});

describe('order state machine over HTTP', () => {
  it('pays a pending order once and counts its units as sales', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 3 }]);
    const res = await act(alice, order.id, 'pay');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'paid', paid_at: expect.any(String) });
    expect(await stockOf(t, product.id)).toEqual({ stock: 7, sales: 3 });
    expect(expectError(await act(alice, order.id, 'pay'), 409).message).toBe(
      'Order is paid and cannot be paid',
    );
    expect((await t.http.get(`/api/products/${product.id}`)).body.data.sales).toBe(3);
  });

  it('refuses to pay an order past its payment deadline that the timeout has not cancelled yet', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 2 }]);
    await t.db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      order.id,
    ]);
    expect(expectError(await act(alice, order.id, 'pay'), 409).message).toBe(
      'Order is past its payment deadline and cannot be paid',
    );
    const { rows } = await t.db.query('SELECT status FROM orders WHERE id = $1', [order.id]);
    expect(rows[0].status).toBe('pending');
    expect(await stockOf(t, product.id)).toEqual({ stock: 8, sales: 0 });
  });

  it('lets only the owner pay: 404 to another customer, 403 to an admin', async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expectError(await act(bob, order.id, 'pay'), 404);
    expectError(await act(admin, order.id, 'pay'), 403);
  });

  it('cancels a pending order for its owner and gives the stock back', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 4 }]);
    const res = await act(alice, order.id, 'cancel');
    expect(res.body.data).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'user',
      cancelled_at: expect.any(String),
    });
    expect(await stockOf(t, product.id)).toEqual({ stock: 10, sales: 0 });
    expectError(await act(alice, order.id, 'cancel'), 409);
    expect((await stockOf(t, product.id)).stock).toBe(10);
    expect((await t.http.get(`/api/products/${product.id}`)).body.data.stock).toBe(10);
  });

  it('cancels a paid order for an admin: stock back, sales taken back', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 2 }]);
    await act(alice, order.id, 'pay');
    const res = await act(admin, order.id, 'cancel');
    expect(res.body.data).toMatchObject({ status: 'cancelled', cancel_reason: 'admin' });
    expect(await stockOf(t, product.id)).toEqual({ stock: 10, sales: 0 });
  });

  it('refuses fields sent to the transitions, which take no body, and changes nothing', async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    const cancel = await act(alice, order.id, 'cancel').send({ cancel_reason: 'admin' });
    expect(expectError(cancel, 400).errors).toEqual({
      cancel_reason: 'cancel_reason is not an accepted field',
    });
    expectError(await act(alice, order.id, 'pay').send({ status: 'paid' }), 400);
    expectError(await act(alice, order.id, 'pay').send([1]), 400);
    const { rows } = await t.db.query('SELECT status FROM orders WHERE id = $1', [order.id]);
    expect(rows[0].status).toBe('pending');
    expect((await act(alice, order.id, 'pay').send({})).status).toBe(200);
    expectError(await act(admin, order.id, 'ship').send({ tracking: 'x' }), 400);
  });

  it("hides another customer's order from cancel", async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expectError(await act(bob, order.id, 'cancel'), 404);
  });

  it('ships a paid order and completes a shipped one, for admins only', async () => {
    const product = await createProduct(t, admin);
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    expectError(await act(admin, order.id, 'ship'), 409);
    await act(alice, order.id, 'pay');
    expectError(await act(alice, order.id, 'ship'), 403);
    expectError(await act(admin, order.id, 'complete'), 409);
    expect((await act(admin, order.id, 'ship')).body.data.status).toBe('shipped');
    expectError(await act(alice, order.id, 'cancel'), 409);
    expect((await act(admin, order.id, 'complete')).body.data.status).toBe('completed');
    for (const action of ['pay', 'cancel', 'ship', 'complete'] as const) {
      expectError(await act(action === 'pay' ? alice : admin, order.id, action), 409);
    }
    expect((await stockOf(t, product.id)).sales).toBe(1);
  });

  it('answers a missing order with 404 and a bad id with 400', async () => {
    expectError(await act(alice, 987654321, 'pay'), 404);
    expectError(await t.http.put('/api/orders/x/cancel').set('Authorization', alice.bearer), 400);
  });
});

describe('Idempotency-Key on POST /api/orders', () => {
  it('answers a repeat with the first order, marked replayed, and creates nothing', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const key = unique('key-');
    const first = await placeOrder(t, alice, [{ product_id: product.id, quantity: 2 }], key);
    const again = await placeOrder(t, alice, [{ product_id: product.id, quantity: 2 }], key);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data).toEqual(first.body.data);
    // The same fields in the same order, not only the same values: a client may compare the bytes.
    expect(JSON.stringify(again.body.data)).toBe(JSON.stringify(first.body.data));
    expect((await stockOf(t, product.id)).stock).toBe(8);
    const { rows } = await t.db.query(
      'SELECT count(*) AS n FROM order_items WHERE product_id = $1',
      [product.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('answers copies of a finished request sent together with its order, each marked replayed', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const key = unique('key-');
    const lines = [{ product_id: product.id, quantity: 1 }];
    const first = await placeOrder(t, alice, lines, key);
    expect(first.status).toBe(201);
    // Before, the copies raced for the key's lock, and all but one were told it was still running.
    const copies = await Promise.all(
      Array.from({ length: 6 }, () => placeOrder(t, alice, lines, key)),
    );
    expect(copies.map((copy) => copy.status)).toEqual(copies.map(() => 201));
    for (const copy of copies) {
      expect(copy.headers['idempotent-replayed']).toBe('true');
      expect(copy.body.data.id).toBe(first.body.data.id);
    }
    expect((await stockOf(t, product.id)).stock).toBe(9);
  });

  it('treats a body with its keys in another order as the same body', async () => {
    const product = await createProduct(t, admin);
    const key = unique('key-');
    const first = await t.http
      .post('/api/orders')
      .set('Authorization', alice.bearer)
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(`{"items":[{"product_id":${product.id},"quantity":1}]}`);
    const again = await t.http
      .post('/api/orders')
      .set('Authorization', alice.bearer)
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(`{"items":[{"quantity":1,"product_id":${product.id}}]}`);
    expect(again.body.data.id).toBe(first.body.data.id);
  });

  it('answers the same key with another body with 422', async () => {
    const product = await createProduct(t, admin);
    const key = unique('key-');
    await placeOrder(t, alice, [{ product_id: product.id, quantity: 1 }], key);
    expectError(await placeOrder(t, alice, [{ product_id: product.id, quantity: 2 }], key), 422);
  });

  it('scopes keys to the user', async () => {
    const product = await createProduct(t, admin);
    const key = unique('key-');
    const a = await placeOrder(t, alice, [{ product_id: product.id, quantity: 1 }], key);
    const b = await placeOrder(t, bob, [{ product_id: product.id, quantity: 1 }], key);
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.data.id).not.toBe(a.body.data.id);
  });

  it('remembers only a completed order: a failed request may be retried with its key', async () => {
    const product = await createProduct(t, admin, { stock: 1 });
    const key = unique('key-');
    expectError(await placeOrder(t, alice, [{ product_id: product.id, quantity: 2 }], key), 409);
    await t.http
      .patch(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ stock: 5 });
    const retry = await placeOrder(t, alice, [{ product_id: product.id, quantity: 2 }], key);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('forgets a key after 24 hours, and the sweep deletes it', async () => {
    const product = await createProduct(t, admin);
    const key = unique('key-');
    const first = await placeOrder(t, alice, [{ product_id: product.id, quantity: 1 }], key);
    await t.db.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [key],
    );
    const later = await placeOrder(t, alice, [{ product_id: product.id, quantity: 3 }], key);
    expect(later.status).toBe(201);
    expect(later.body.data.id).not.toBe(first.body.data.id);
    await t.db.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [key],
    );
    expect((await t.app.get(OrderSweeper).sweep()).idempotencyKeysDeleted).toBeGreaterThanOrEqual(
      1,
    );
    const { rows } = await t.db.query('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1', [
      key,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it.each(['', 'k'.repeat(256), 'with space'])('refuses the key %j with 400', async (key) => {
    const product = await createProduct(t, admin);
    const res = await placeOrder(t, alice, [{ product_id: product.id, quantity: 1 }], key);
    expect(expectError(res, 400).errors).toHaveProperty('Idempotency-Key');
  });
});
