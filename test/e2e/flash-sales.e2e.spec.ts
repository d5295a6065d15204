import { Redis } from 'ioredis';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkUsers } from '../support/bulk-users.js';
import { REDIS_URL } from '../support/env.js';
import {
  createProduct,
  expectError,
  signUp,
  stockOf,
  unique,
  type TestUser,
} from '../support/factories.js';
import {
  buy,
  createSale,
  inSeconds,
  ledgerOf,
  postSale,
  saleOf,
  statusCounts,
  until,
} from '../support/flash-sales.js';
import { startIsolatedApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let crowd: TestUser[];

beforeAll(async () => {
  // The workers run here for the sweeps: sales ending by time, and orders past their deadline.
  // A database of its own: sales other files' route sweeps (ids 1, 2...) would touch are not ours.
  t = await startIsolatedApp({
    RUN_WORKERS: 'true',
    FLASH_SALE_SWEEP_INTERVAL: '1',
    ORDER_SWEEP_INTERVAL: '1',
  });
  admin = await signUp(t, { role: 'admin' });
  customer = await signUp(t);
  crowd = await bulkUsers(t.db, TEST_JWT_SECRET, 500);
});
afterAll(() => t.close());

describe('creating, reading and ending flash sales', () => {
  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const valid = {
      product_id: product.id,
      price: 5,
      quantity: 5,
      starts_at: inSeconds(-1),
      ends_at: inSeconds(60),
    };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...valid, price: 0 }, 'price'],
      [{ ...valid, price: 1e-7 }, 'price'],
      [{ ...valid, price: 1.234 }, 'price'],
      [{ ...valid, quantity: 0 }, 'quantity'],
      [{ ...valid, quantity: 1.5 }, 'quantity'],
      [{ ...valid, per_user_limit: 0 }, 'per_user_limit'],
      [{ ...valid, per_user_limit: 101 }, 'per_user_limit'],
      [{ ...valid, starts_at: 'tomorrow' }, 'starts_at'],
      [{ ...valid, starts_at: '2026-W01' }, 'starts_at'],
      [{ ...valid, starts_at: '2026-001' }, 'starts_at'],
      [{ ...valid, starts_at: '2026-02-30T00:00:00Z' }, 'starts_at'],
      [{ ...valid, ends_at: '2099-01-01T00:00:00' }, 'ends_at'],
      [{ ...valid, ends_at: valid.starts_at }, 'ends_at'],
      [{ ...valid, starts_at: inSeconds(-120), ends_at: inSeconds(-60) }, 'ends_at'],
      [{ ...valid, remaining: 1 }, 'remaining'],
      [{ ...valid, product_id: undefined }, 'product_id'],
    ];
    for (const [body, field] of cases) {
      const error = expectError(await postSale(t, admin, body), 400);
      expect(Object.keys(error.errors ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect((await stockOf(t, product.id)).stock).toBe(10);
    const { rows } = await t.db.query('SELECT 1 FROM flash_sales WHERE product_id = $1', [
      product.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('tells a missing or mistyped field its type, not a bound it cannot meet', async () => {
    const created = await postSale(t, admin, {
      product_id: '1',
      price: '5',
      quantity: null,
      per_user_limit: 'two',
      starts_at: 1,
    });
    expect(expectError(created, 400).errors).toEqual({
      product_id: 'product_id must be a positive integer',
      price: 'price must be a number with at most two decimals',
      quantity: 'quantity must be an integer',
      per_user_limit: 'per_user_limit must be an integer',
      starts_at: 'starts_at must be an ISO-8601 date-time',
      ends_at: 'ends_at must be an ISO-8601 date-time',
    });
    for (const body of [{}, { quantity: '1' }, { quantity: null }]) {
      const bought = await t.http
        .post('/api/flash-sales/1/orders')
        .set('Authorization', customer.bearer)
        .send(body);
      expect(expectError(bought, 400).errors).toEqual({ quantity: 'quantity must be an integer' });
    }
  });

  it('takes the quantity from stock at once: 409 when short, 404 for no product, 403 for a customer', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const body = {
      product_id: product.id,
      price: 5,
      starts_at: inSeconds(-1),
      ends_at: inSeconds(60),
    };
    expectError(await postSale(t, admin, { ...body, quantity: 11 }), 409);
    expect((await stockOf(t, product.id)).stock).toBe(10);
    expectError(await postSale(t, admin, { ...body, product_id: 99_999_999, quantity: 1 }), 404);
    expectError(await postSale(t, customer, { ...body, quantity: 1 }), 403);

    const sale = await createSale(t, admin, { product_id: product.id, quantity: 4, price: 2.5 });
    expect(sale).toMatchObject({
      product_id: product.id,
      price: 2.5,
      quantity: 4,
      remaining: 4,
      per_user_limit: 1,
      status: 'active',
    });
    expect((await stockOf(t, product.id)).stock).toBe(6);
    expect(await saleOf(t, sale.id)).toEqual(sale);
    expectError(await t.http.get('/api/flash-sales/99999999'), 404);
    expectError(await t.http.get('/api/flash-sales/abc'), 400);
  });

  it('lists scheduled and active sales soonest first, never ended ones', async () => {
    const later = await createSale(t, admin, {
      starts_at: inSeconds(7200),
      ends_at: inSeconds(9000),
    });
    const soon = await createSale(t, admin, {
      starts_at: inSeconds(3600),
      ends_at: inSeconds(9000),
    });
    const ended = await createSale(t, admin);
    expect(
      (await t.http.delete(`/api/flash-sales/${ended.id}`).set('Authorization', admin.bearer))
        .status,
    ).toBe(204);
    const res = await t.http.get('/api/flash-sales?page_size=100');
    expect(res.status).toBe(200);
    const items = (res.body as { data: { items: Array<{ id: number; status: string }> } }).data
      .items;
    const ids = items.map((item) => item.id);
    expect(ids).not.toContain(ended.id);
    expect(ids.indexOf(soon.id)).toBeGreaterThan(-1);
    expect(ids.indexOf(soon.id)).toBeLessThan(ids.indexOf(later.id));
    expect(items.find((item) => item.id === soon.id)?.status).toBe('scheduled');
    expectError(await t.http.get('/api/flash-sales?page_size=101'), 400);

    // A page past the last one is empty but still counts them all.
    const { total } = (res.body as { data: { total: number } }).data;
    const beyond = await t.http.get(`/api/flash-sales?page=${total + 1}&page_size=1`);
    expect(beyond.body.data).toEqual({
      items: [],
      total,
      page: total + 1,
      page_size: 1,
      total_pages: total,
    });
  });

  it('DELETE ends the sale now and gives its unsold units back to stock, once', async () => {
    const sale = await createSale(t, admin, { stock: 30, quantity: 10 });
    expect((await buy(t, customer, sale.id)).status).toBe(201);
    expect((await stockOf(t, sale.product_id)).stock).toBe(20);
    const end = () =>
      t.http.delete(`/api/flash-sales/${sale.id}`).set('Authorization', admin.bearer);
    const before = Date.now();
    expect((await end()).status).toBe(204);
    const after = Date.now();
    expect((await end()).status).toBe(204);
    expect((await stockOf(t, sale.product_id)).stock).toBe(29);
    const ended = await saleOf(t, sale.id);
    expect(ended).toMatchObject({ status: 'ended', remaining: 0 });
    // ends_at says when it was ended (the database's clock: a second's leeway either side).
    expect(Date.parse(ended.ends_at)).toBeGreaterThan(before - 1000);
    expect(Date.parse(ended.ends_at)).toBeLessThan(after + 1000);
    expectError(await buy(t, crowd[0]!, sale.id), 409);
    expectError(
      await t.http.delete('/api/flash-sales/99999999').set('Authorization', admin.bearer),
      404,
    );
    expectError(
      await t.http.delete(`/api/flash-sales/${sale.id}`).set('Authorization', customer.bearer),
      403,
    );
  });
});

describe('buying in a flash sale', () => {
  it('refuses bad purchases: 400 for the quantity, 404 for no sale, 401 without a token', async () => {
    const sale = await createSale(t, admin, { quantity: 5, per_user_limit: 2 });
    for (const quantity of [0, -1, 1.5, 101, '1']) {
      const error = expectError(await buy(t, customer, sale.id, quantity as number), 400);
      expect(error.errors).toHaveProperty('quantity');
    }
    expectError(
      await t.http
        .post(`/api/flash-sales/${sale.id}/orders`)
        .set('Authorization', customer.bearer)
        .send({ quantity: 1, price: 0 }),
      400,
    );
    expectError(await buy(t, customer, 99_999_999), 404);
    expectError(await t.http.post(`/api/flash-sales/${sale.id}/orders`).send({ quantity: 1 }), 401);
    const over = expectError(await buy(t, customer, sale.id, 3), 409);
    expect(over.message).toMatch(/limit/i);
    expect((await saleOf(t, sale.id)).remaining).toBe(5);
  });

  it("a sale whose product was withdrawn is 404 naming no field of the order's own", async () => {
    const sale = await createSale(t, admin, { quantity: 5 });
    const removed = await t.http
      .delete(`/api/products/${sale.product_id}`)
      .set('Authorization', admin.bearer);
    expect(removed.status).toBe(204);
    const error = expectError(await buy(t, customer, sale.id), 404);
    expect(error).toMatchObject({ message: 'Product not found', errors: null });
    expect((await saleOf(t, sale.id)).remaining).toBe(5);
  });

  it('a winner gets an ordinary pending order at the sale price', async () => {
    const sale = await createSale(t, admin, { quantity: 5, per_user_limit: 2, price: 3.3 });
    const res = await buy(t, customer, sale.id, 2);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const order = (
      res.body as { data: { id: number; status: string; total_amount: number; items: unknown[] } }
    ).data;
    expect(order).toMatchObject({
      status: 'pending',
      total_amount: 6.6,
      items: [
        expect.objectContaining({
          product_id: sale.product_id,
          quantity: 2,
          unit_price: 3.3,
          subtotal: 6.6,
        }),
      ],
    });
    const mine = await t.http.get(`/api/orders/${order.id}`).set('Authorization', customer.bearer);
    expect(mine.status).toBe(200);
    expect((await saleOf(t, sale.id)).remaining).toBe(3);
    // The product's own stock is what was left after the sale took its units.
    expect((await stockOf(t, sale.product_id)).stock).toBe(95);
  });

  it('five hundred concurrent buyers for fifty units: exactly fifty win, the rest are 409, and PostgreSQL agrees', async () => {
    const sale = await createSale(t, admin, { stock: 60, quantity: 50 });
    const results = await Promise.all(crowd.map((user) => buy(t, user, sale.id)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 50, 409: 450 });
    const ledger = await ledgerOf(t, sale.id);
    expect(ledger.units).toBe(50);
    expect(ledger.sale?.remaining).toBe(0);
    expect(Math.max(...ledger.byUser.map((row) => row.units))).toBe(1);
    expect((await stockOf(t, sale.product_id)).stock).toBe(10);
    expect((await saleOf(t, sale.id)).remaining).toBe(0);
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/flash_sale_attempts_total\{result="won"\} [1-9]\d*/);
    expect(metrics.text).toMatch(/flash_sale_attempts_total\{result="sold_out"\} [1-9]\d*/);
  });

  it('one customer with a limit of two sending twenty requests at once gets exactly two units', async () => {
    const sale = await createSale(t, admin, { quantity: 50, per_user_limit: 2 });
    const buyer = crowd[1]!;
    const results = await Promise.all(Array.from({ length: 20 }, () => buy(t, buyer, sale.id)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 2, 409: 18 });
    expect((await ledgerOf(t, sale.id)).byUser).toEqual([{ user_id: buyer.id, units: 2 }]);
    const { rows } = await t.db.query('SELECT units FROM flash_sale_holdings WHERE sale_id = $1', [
      sale.id,
    ]);
    expect(rows).toEqual([{ units: 2 }]);
  });

  it('a sale answers 409 before it starts and after it ends, and its unsold units go back to stock', async () => {
    const sale = await createSale(t, admin, {
      stock: 20,
      quantity: 10,
      starts_at: inSeconds(1),
      ends_at: inSeconds(2.5),
    });
    expect(sale.status).toBe('scheduled');
    const before = expectError(await buy(t, customer, sale.id), 409);
    expect(before.message).toMatch(/not active/);
    await until(async () => {
      expect((await saleOf(t, sale.id)).status).toBe('active');
    });
    expect((await buy(t, crowd[2]!, sale.id)).status).toBe(201);
    let ended = sale;
    await until(async () => {
      ended = await saleOf(t, sale.id);
      expect(ended.status).toBe('ended');
    });
    // An ended sale shows nothing left to buy, before the sweep has given its units back too.
    expect(ended.remaining).toBe(0);
    expectError(await buy(t, crowd[3]!, sale.id), 409);
    await until(async () => {
      expect((await ledgerOf(t, sale.id)).sale?.settled).toBe(true);
    });
    expect((await stockOf(t, sale.product_id)).stock).toBe(19);
  });

  it("a cancelled sale order's units are sold again; after the end they stay in stock", async () => {
    const sale = await createSale(t, admin, { stock: 5, quantity: 1 });
    const first = await buy(t, crowd[4]!, sale.id);
    expect(first.status).toBe(201);
    expectError(await buy(t, crowd[5]!, sale.id), 409);
    const orderId = (first.body as { data: { id: number } }).data.id;
    const cancel = await t.http
      .put(`/api/orders/${orderId}/cancel`)
      .set('Authorization', crowd[4]!.bearer);
    expect(cancel.status).toBe(200);
    expect((await saleOf(t, sale.id)).remaining).toBe(1);
    expect((await stockOf(t, sale.product_id)).stock).toBe(4);
    const second = await buy(t, crowd[5]!, sale.id);
    expect(second.status).toBe(201);
    expect((await ledgerOf(t, sale.id)).units).toBe(1);

    expect(
      (await t.http.delete(`/api/flash-sales/${sale.id}`).set('Authorization', admin.bearer))
        .status,
    ).toBe(204);
    const secondId = (second.body as { data: { id: number } }).data.id;
    expect(
      (await t.http.put(`/api/orders/${secondId}/cancel`).set('Authorization', admin.bearer))
        .status,
    ).toBe(200);
    expect((await stockOf(t, sale.product_id)).stock).toBe(5);
    expect((await ledgerOf(t, sale.id)).sale?.remaining).toBe(0);
  });

  it("an expired sale order's units go back to the sale", async () => {
    const sale = await createSale(t, admin, { stock: 5, quantity: 1 });
    const res = await buy(t, crowd[9]!, sale.id);
    expect(res.status).toBe(201);
    const orderId = (res.body as { data: { id: number } }).data.id;
    expectError(await buy(t, crowd[10]!, sale.id), 409);
    // Its payment deadline moved into the past: the orders' sweep expires it.
    await t.db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      orderId,
    ]);
    // The gate gets the units back just before the cancellation commits: wait for both.
    await until(async () => {
      expect((await saleOf(t, sale.id)).remaining).toBe(1);
      const { rows } = await t.db.query('SELECT cancel_reason FROM orders WHERE id = $1', [
        orderId,
      ]);
      expect(rows).toEqual([{ cancel_reason: 'payment_timeout' }]);
    });
    expect((await buy(t, crowd[10]!, sale.id)).status).toBe(201);
    expect((await stockOf(t, sale.product_id)).stock).toBe(4);
  });

  it('a gate left short of PostgreSQL (a give-back Redis did not take) is rebuilt by the sweep', async () => {
    const sale = await createSale(t, admin, { quantity: 3 });
    expect((await buy(t, crowd[11]!, sale.id)).status).toBe(201);
    // As if a cancelled order's give-back never reached Redis: the gate holds one unit less.
    const redis = new Redis(REDIS_URL);
    try {
      await redis.hincrby(`{${t.config.redis.prefix}:fs:${sale.id}}:sale`, 'remaining', -1);
    } finally {
      redis.disconnect();
    }
    expect((await saleOf(t, sale.id)).remaining).toBe(1);
    await until(async () => {
      expect((await saleOf(t, sale.id)).remaining).toBe(2);
    });
    const results = await Promise.all([12, 13, 14].map((i) => buy(t, crowd[i]!, sale.id)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 2, 409: 1 });
    expect((await ledgerOf(t, sale.id)).units).toBe(3);
  });

  it('an attempt waiting for a rebuild that ends with no counters (the sale deleted meanwhile) asks again at once', async () => {
    const sale = await createSale(t, admin);
    const tag = `{${t.config.redis.prefix}:fs:${sale.id}}`;
    const redis = new Redis(REDIS_URL);
    try {
      // Another process rebuilding the counters: its lock held for a minute, no counters yet.
      await redis.del(`${tag}:init`);
      await redis.set(`${tag}:lock`, 'another-process', 'PX', 60_000);
      const sent = Date.now();
      const attempt = buy(t, crowd[15]!, sale.id).then((res) => ({ res, at: Date.now() }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(
        (await t.http.delete(`/api/flash-sales/${sale.id}`).set('Authorization', admin.bearer))
          .status,
      ).toBe(204);
      // Its rebuild over, the counters it loaded dropped again by the DELETE.
      await redis.del(`${tag}:lock`, `${tag}:init`);
      const { res, at } = await attempt;
      expectError(res, 409);
      // Not after the 5 s a rebuild may hold the lock, as when waiters watched only the counters.
      expect(at - sent).toBeLessThan(5000);
    } finally {
      redis.disconnect();
    }
    expect((await ledgerOf(t, sale.id)).units).toBe(0);
  });

  it('an Idempotency-Key answers the first order again, even once the sale is sold out', async () => {
    const sale = await createSale(t, admin, { quantity: 1 });
    const key = unique('key-');
    const first = await buy(t, crowd[6]!, sale.id, 1, key);
    expect(first.status).toBe(201);
    const again = await buy(t, crowd[6]!, sale.id, 1, key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.body as { data: { id: number } }).data.id).toBe(
      (first.body as { data: { id: number } }).data.id,
    );
    const data = (res: typeof first): string =>
      JSON.stringify((res.body as { data: unknown }).data);
    expect(data(again)).toBe(data(first));
    expectError(await buy(t, crowd[6]!, sale.id, 2, key), 422);
    expect((await ledgerOf(t, sale.id)).units).toBe(1);
  });

  it('counts neither a replay nor a 422 among the attempts, and a refusal once', async () => {
    const sale = await createSale(t, admin, { quantity: 1 });
    const key = unique('key-');
    expect((await buy(t, crowd[8]!, sale.id, 1, key)).status).toBe(201);
    const attempts = async (): Promise<Record<string, number>> => {
      const text = (await t.http.get('/metrics')).text;
      return Object.fromEntries(
        [...text.matchAll(/^flash_sale_attempts_total\{result="(\w+)"\} (\d+)/gm)].map((m) => [
          m[1]!,
          Number(m[2]),
        ]),
      );
    };
    const before = await attempts();
    // Sold out now: the replay is answered from the first order, the other body is a 422.
    expect((await buy(t, crowd[8]!, sale.id, 1, key)).status).toBe(201);
    expectError(await buy(t, crowd[8]!, sale.id, 2, key), 422);
    expect(await attempts()).toEqual(before);
    expectError(await buy(t, crowd[9]!, sale.id), 409);
    expect(await attempts()).toEqual({ ...before, sold_out: before.sold_out! + 1 });
  });

  it('five attempts at once on a new sale (one customer, one Idempotency-Key) build its counters once, in step with PostgreSQL', async () => {
    for (let trial = 0; trial < 8; trial++) {
      const sale = await createSale(t, admin, { quantity: 10, per_user_limit: 5 });
      const buyer = crowd[480 + trial]!;
      const key = unique('key-');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => buy(t, buyer, sale.id, 1, key)),
      );
      expect(answers.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
      const ids = new Set(
        answers
          .filter((r) => r.status === 201)
          .map((r) => (r.body as { data: { id: number } }).data.id),
      );
      expect(ids.size).toBe(1);
      const ledger = await ledgerOf(t, sale.id);
      expect(ledger.units).toBe(1);
      expect(ledger.sale!.remaining).toBe(9);
      expect((await saleOf(t, sale.id)).remaining).toBe(9);
    }
  });

  it('copies of one keyed purchase sent together hold no units: each is the order again or the in-progress 409', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const sale = await createSale(t, admin, { quantity: 4, per_user_limit: 4 });
      const buyer = crowd[470 + trial]!;
      const key = unique('key-');
      const copies = await Promise.all(
        Array.from({ length: 8 }, () => buy(t, buyer, sale.id, 1, key)),
      );
      const won = copies.filter((r) => r.status === 201);
      expect(won.length).toBeGreaterThanOrEqual(1);
      expect(new Set(won.map((r) => (r.body as { data: { id: number } }).data.id)).size).toBe(1);
      for (const refused of copies.filter((r) => r.status !== 201)) {
        expect(expectError(refused, 409).message).toMatch(
          /Idempotency-Key is still being processed/,
        );
      }
      // Nothing was left reserved: the other three units go to three other customers.
      const others = await Promise.all(
        [0, 1, 2].map((i) => buy(t, crowd[450 + trial * 3 + i]!, sale.id)),
      );
      expect(others.map((r) => r.status)).toEqual([201, 201, 201]);
      expect((await ledgerOf(t, sale.id)).units).toBe(4);
    }
  });

  it('refusals (sold out, over the limit, not active) open no PostgreSQL transaction', async () => {
    const lastUnit = await createSale(t, admin, { quantity: 1, per_user_limit: 2 });
    const scheduled = await createSale(t, admin, {
      starts_at: inSeconds(3600),
      ends_at: inSeconds(7200),
    });
    const attempts = crowd.slice(8, 308).map((user, i) => {
      if (i % 3 === 0) return buy(t, user, lastUnit.id, 2); // sold out: 2 wanted, 1 left
      if (i % 3 === 1) return buy(t, user, lastUnit.id, 3); // over the limit of 2
      return buy(t, user, scheduled.id); // not active yet
    });
    const dataSource = t.app.get(DataSource);
    let opened = 0;
    const counter = {
      afterTransactionStart: () => {
        opened++;
      },
    };
    dataSource.subscribers.push(counter);
    try {
      const refusals = await Promise.all(attempts);
      expect(statusCounts(refusals.map((r) => r.status))).toEqual({ 409: 300 });
      // The app's own schedules (the outbox relay's poll each second) open a few meanwhile.
      expect(opened).toBeLessThan(10);
      opened = 0;
      expect((await buy(t, crowd[8]!, lastUnit.id)).status).toBe(201);
      expect(opened).toBeGreaterThanOrEqual(1);
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(counter), 1);
    }
  });
});

describe('a sold-out sale, whose refusals are answered in front of the route', () => {
  let sale: { id: number };
  beforeAll(async () => {
    sale = await createSale(t, admin, { quantity: 1 });
    expect((await buy(t, crowd[20]!, sale.id)).status).toBe(201);
  });

  it("refuses with the route's 409, its rate-limit headers and request id", async () => {
    const res = await buy(t, crowd[21]!, sale.id);
    const error = expectError(res, 409);
    expect(error).toMatchObject({
      message: 'Flash sale sold out',
      errors: { quantity: 'not enough units left in this sale' },
    });
    expect((res.body as { path: string }).path).toBe(`/api/flash-sales/${sale.id}/orders`);
    expect(Number(res.headers['x-ratelimit-remaining'])).toBeGreaterThanOrEqual(0);
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('still answers what comes first: 400 for the body or the id, 401 without a live login', async () => {
    for (const quantity of [0, 1.5, '1']) {
      const error = expectError(await buy(t, crowd[22]!, sale.id, quantity as number), 400);
      expect(error.errors).toHaveProperty('quantity');
    }
    expectError(
      await t.http
        .post(`/api/flash-sales/${sale.id}/orders`)
        .set('Authorization', crowd[22]!.bearer)
        .send({ quantity: 1, price: 0 }),
      400,
    );
    const badId = expectError(
      await t.http
        .post('/api/flash-sales/01/orders')
        .set('Authorization', crowd[22]!.bearer)
        .send({ quantity: 1 }),
      400,
    );
    expect(badId.errors).toHaveProperty('id');
    expectError(await t.http.post(`/api/flash-sales/${sale.id}/orders`).send({ quantity: 1 }), 401);
    expectError(
      await t.http
        .post(`/api/flash-sales/${sale.id}/orders`)
        .set('Authorization', `${crowd[22]!.bearer}x`)
        .send({ quantity: 1 }),
      401,
    );
  });

  it('answers 401 on the very next attempt after a logout, and 403 once the account is disabled', async () => {
    const buyer = await signUp(t);
    expectError(await buy(t, buyer, sale.id), 409);
    const out = await t.http
      .post('/api/auth/logout')
      .set('Authorization', buyer.bearer)
      .send({ refresh_token: buyer.tokens.refresh_token });
    expect(out.status).toBe(204);
    expectError(await buy(t, buyer, sale.id), 401);

    const other = await signUp(t);
    expectError(await buy(t, other, sale.id), 409);
    const disabled = await t.http
      .patch(`/api/users/${other.id}`)
      .set('Authorization', admin.bearer)
      .send({ is_active: false });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expectError(await buy(t, other, sale.id), 403);
  });

  it('refuses an access token once it has expired, though it was accepted before', async () => {
    const { rows } = await t.db.query<{ id: string }>(
      'SELECT id FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL LIMIT 1',
      [customer.id],
    );
    const token = new JwtService({ secret: TEST_JWT_SECRET }).sign(
      { sub: String(customer.id), sid: rows[0]!.id, typ: 'access' },
      { algorithm: 'HS256', expiresIn: 2, issuer: 'shop-api', audience: 'shop-api' },
    );
    const attempt = () =>
      t.http
        .post(`/api/flash-sales/${sale.id}/orders`)
        .set('Authorization', `Bearer ${token}`)
        .send({ quantity: 1 });
    expectError(await attempt(), 409);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
    };
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const expired = expectError(await attempt(), 401);
    expect(expired.message).toBe('Access token has expired');
  });
});
