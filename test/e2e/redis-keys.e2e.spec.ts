import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { slotGroup } from '../../src/infra/redis/redis-keys.js';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  type TestUser,
} from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startIsolatedApp, type TestApp } from '../support/test-app.js';

/**
 * CONTRACT §5: a request that fails validation writes nothing anywhere (no cache key, no counter
 * other than the rate limit's), and every key the service writes is bounded: it expires, or it
 * belongs to a fixed set. A redis-server of this file's own, so that every key in it is the
 * app's and DBSIZE counts nothing else.
 */

let redis: PrivateRedis;
let client: Redis;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  client = redis.client();
  await client.connect();
});
afterAll(async () => {
  client.disconnect();
  await redis.kill();
});

async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

const isRateLimitCounter = (key: string): boolean => /:rl:/.test(key);

/** Requests that are invalid before any lookup: ids that are no ids, queries that fail validation. */
const JUNK = [
  `/api/products/${'x'.repeat(15_000)}`,
  `/api/products/${'9'.repeat(5000)}`,
  '/api/products/abc',
  '/api/products/0',
  '/api/products/01',
  '/api/products/-1',
  '/api/products/1e3',
  '/api/products/1.5',
  '/api/products/99999999999999999',
  '/api/products/%00',
  '/api/products/1%20',
  '/api/products?page=0',
  '/api/products?page_size=1000',
  '/api/products?sort=bogus',
  '/api/products?order=sideways',
  '/api/products?search=%00',
  `/api/products?search=${'s'.repeat(5000)}`,
  '/api/products?min_price=abc',
  '/api/products?min_price=5&max_price=1',
  '/api/products?__proto__=1',
  `/api/products?${'z'.repeat(4000)}=1`,
  '/api/products/hot?limit=0',
  '/api/products/hot?limit=abc',
  '/api/products/hot?limit=101',
];

describe('invalid reads', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startIsolatedApp({ REDIS_URL: redis.url, RUN_WORKERS: 'false' });
    admin = await signUp(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  it('leave the Redis key count unchanged, rate-limit counters aside', async () => {
    const product = await createProduct(t, admin);
    // Valid reads first: the cache's fixed keys (epoch, catalog) and this client's counter exist.
    for (const path of [`/api/products/${product.id}`, '/api/products', '/api/products/hot']) {
      expect((await t.http.get(path)).status).toBe(200);
    }
    // The welcome mail of the admin's registration reaches its queue, and the product's view
    // (counted in the process, sent once per interval) reaches Redis; then nothing else moves.
    const views = `${slotGroup(t.config.redis.prefix, 'reads')}:product-views`;
    await eventually(async () => {
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
      );
      expect(rows[0].n).toBe(0);
      expect(await client.exists(views)).toBe(1);
    });
    const before = await allKeys();
    const sizeBefore = await client.dbsize();

    for (const path of JUNK) expectError(await t.http.get(path), 400);

    const after = await allKeys();
    expect(after.filter((key) => !before.includes(key) && !isRateLimitCounter(key))).toEqual([]);
    expect(await client.dbsize()).toBe(
      sizeBefore + after.filter((key) => !before.includes(key)).length,
    );
    expect(after.filter((key) => !before.includes(key)).every(isRateLimitCounter)).toBe(true);
  });
});

describe('invalid writes by a signed-in customer', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Logins' checks cached for a second, so that the test outlives one.
    t = await startIsolatedApp({
      REDIS_URL: redis.url,
      RUN_WORKERS: 'false',
      SESSION_CACHE_TTL: '1',
    });
  });
  afterAll(() => t.close());

  /** This app's cached login checks and their tag versions. */
  const checkKeys = async (): Promise<string[]> =>
    (await allKeys()).filter(
      (key) =>
        key.includes(t.config.redis.prefix) &&
        /:cache:e:session:|:cache:v\}:user-access:/.test(key),
    );

  it("leave no key behind, not even the login's cached check, which a valid request then caches", async () => {
    const customer = await signUp(t);
    const as = (req: ReturnType<TestApp['http']['post']>) =>
      req.set('Authorization', customer.bearer);
    // A valid request caches the login's check; then it and its version expire, and the
    // registration's mail has reached its queue: nothing else moves.
    expect((await as(t.http.get('/api/users/me'))).status).toBe(200);
    await eventually(async () => {
      expect(await checkKeys()).toHaveLength(2);
    });
    await eventually(async () => {
      expect(await checkKeys()).toEqual([]);
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
      );
      expect(rows[0].n).toBe(0);
    });
    const before = await allKeys();

    expectError(await as(t.http.post('/api/orders')).send({ items: [] }), 400);
    expectError(
      await as(t.http.post('/api/orders')).send({ items: [{ product_id: 1, quantity: 0 }] }),
      400,
    );
    expectError(await as(t.http.put('/api/users/me')).send({ username: 'x' }), 400);
    expectError(await as(t.http.post('/api/flash-sales/1/orders')).send({ quantity: 0 }), 400);
    expectError(await as(t.http.get('/api/orders?status=bogus')), 400);
    const added = (await allKeys()).filter((key) => !before.includes(key));
    expect(added.filter((key) => !isRateLimitCounter(key))).toEqual([]);

    expect((await as(t.http.get('/api/users/me'))).status).toBe(200);
    await eventually(async () => {
      expect(await checkKeys()).toHaveLength(2);
    });
    // The next check is answered from that entry: a change made behind the service's back (no
    // invalidation) is not seen yet.
    await t.db.query(`UPDATE users SET is_active = false WHERE id = $1`, [customer.id]);
    expect((await as(t.http.get('/api/users/me'))).status).toBe(200);
  });
});

describe('cache version keys', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startIsolatedApp({ REDIS_URL: redis.url, CACHE_TTL: '100' });
    admin = await signUp(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  const keysOf = async (id: number) => {
    const prefix = t.config.redis.prefix;
    const entries = (await allKeys()).filter((key) =>
      key.startsWith(`${prefix}:cache:e:product:${id}@`),
    );
    expect(entries).toHaveLength(1);
    return { version: `${slotGroup(prefix, 'cache:v')}:product:${id}`, entry: entries[0]! };
  };

  it('outlive every entry stored under them, and are extended by reads when they run low', async () => {
    const product = await createProduct(t, admin);
    const path = `/api/products/${product.id}`;
    expect((await t.http.get(path)).headers['x-cache']).toBe('MISS');
    const { version, entry } = await keysOf(product.id);
    // Entries live CACHE_TTL ±10% (at most 110 s); their version at least twice that.
    expect(await client.pttl(entry)).toBeLessThanOrEqual(110_000);
    expect(await client.pttl(version)).toBeGreaterThan(220_000);
    expect(await client.pttl(version)).toBeLessThanOrEqual(330_000);

    await client.pexpire(version, 5000);
    expect((await t.http.get(path)).headers['x-cache']).toBe('HIT');
    expect(await client.pttl(version)).toBeGreaterThan(220_000);
    // A version written before versions had lifetimes gets one on its next read.
    await client.persist(version);
    await t.http.get(path);
    expect(await client.pttl(version)).toBeGreaterThan(220_000);
  });

  it('that expire orphan their entries: the next read misses and shows the current data', async () => {
    const product = await createProduct(t, admin, { price: 10 });
    const path = `/api/products/${product.id}`;
    await t.http.get(path);
    expect((await t.http.get(path)).headers['x-cache']).toBe('HIT');
    const { version } = await keysOf(product.id);
    // The row changes behind the cache's back, and the version key is gone as if it expired:
    // a counter would start again where the old entry was stored; a random token never does.
    await t.db.query(`UPDATE products SET price = 11 WHERE id = $1`, [product.id]);
    await client.del(version);
    const after = await t.http.get(path);
    expect([after.headers['x-cache'], after.body.data.price]).toEqual(['MISS', 11]);
  });
});

/**
 * The keys BullMQ keeps for each queue: its structure, a fixed set of names (lists, sets, hashes
 * and the event stream, which BullMQ trims to a length)...
 */
const BULLMQ_STRUCTURE = new Set([
  'meta',
  'id',
  'events',
  'wait',
  'paused',
  'active',
  'prioritized',
  'delayed',
  'completed',
  'failed',
  'stalled',
  'stalled-check',
  'marker',
  'limiter',
  'pc',
  'repeat',
]);

/**
 * ... and one hash per job it keeps (or per job schedule, `repeat:<name>`), with the job's
 * `:logs` and `:lock`; jobs are removed by the retention the queue module sets (completed a day
 * and at most 10,000, failed a week), so their number is bounded too.
 */
async function isBullMqKey(queueKey: string, name: string): Promise<boolean> {
  if (BULLMQ_STRUCTURE.has(name)) return true;
  const job = name.replace(/:(logs|lock)$/, '');
  return (await client.type(`${queueKey}:${job}`)) === 'hash';
}

describe('every key the service writes', () => {
  it('expires, or is one of a fixed set per queue', async () => {
    // Only this app's keys: the first block's app wrote under another prefix.
    await client.flushall();
    const smtp = await SmtpSink.start();
    const t = await startIsolatedApp({
      REDIS_URL: redis.url,
      RUN_WORKERS: 'true',
      SMTP_URL: smtp.url,
    });
    try {
      const [admin, customer] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
      const product = await createProduct(t, admin, { stock: 50 });
      for (const path of [
        `/api/products/${product.id}`,
        `/api/products/${product.id}`,
        `/api/products/${product.id + 1000}`,
        '/api/products?page_size=5',
        '/api/products/hot',
        ...JUNK,
      ]) {
        await t.http.get(path);
      }
      await t.http.post('/api/products/batch').send({ ids: [product.id] });
      const paid = await createOrder(t, customer, [{ product_id: product.id, quantity: 1 }]);
      await t.http.post(`/api/orders/${paid.id}/pay`).set('Authorization', customer.bearer);
      const cancelled = await createOrder(t, customer, [{ product_id: product.id, quantity: 1 }]);
      await t.http.put(`/api/orders/${cancelled.id}/cancel`).set('Authorization', customer.bearer);
      await t.http
        .patch(`/api/products/${product.id}`)
        .set('Authorization', admin.bearer)
        .send({ price: 3 });
      const report = await t.http
        .post('/api/reports/sales')
        .set('Authorization', admin.bearer)
        .send({ start_date: '2026-01-01', end_date: '2026-12-31' });
      expect(report.status).toBe(202);
      await smtp.waitFor(customer.email, /cancel/i);

      const prefix = t.config.redis.prefix;
      const unbounded: string[] = [];
      for (const key of await allKeys()) {
        expect(key.startsWith(`${prefix}:`) || key.startsWith(`{${prefix}:`), key).toBe(true);
        const bull = `${slotGroup(prefix, 'bull')}:`;
        if (key.startsWith(bull)) {
          const [queue = '', ...rest] = key.slice(bull.length).split(':');
          expect(Object.values(QUEUES), key).toContain(queue);
          expect(await isBullMqKey(`${bull}${queue}`, rest.join(':')), key).toBe(true);
          continue;
        }
        if ((await client.pttl(key)) <= 0) unbounded.push(key);
      }
      expect(unbounded).toEqual([]);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });
});
