import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, register, signUp, type TestUser } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startApp();
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const scrape = async (app: TestApp): Promise<string> => (await app.http.get('/metrics')).text;
const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
};

describe('X-Response-Time', () => {
  it('is on every response, whoever answers it', async () => {
    const product = await createProduct(t, admin);
    await t.http.get(`/api/products/${product.id}`);
    const responses = await Promise.all([
      t.http.get(`/api/products/${product.id}`), // the cached fast path
      t.http.get('/api/products/987654321'),
      t.http.get('/no/such/route'),
      t.http.get('/api/users/me'),
      t.http.get('/api/users/me').set('Authorization', admin.bearer),
      t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"bad'),
      t.http.get('/health/live'),
      t.http.get('/metrics'),
    ]);
    expect(responses[0].headers['x-cache']).toBe('HIT');
    expect(responses.map((r) => r.status)).toEqual([200, 404, 404, 401, 200, 400, 200, 200]);
    for (const res of responses) expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{3}ms$/);
  });
});

describe('http_requests_in_flight', () => {
  it('counts a request until it is answered or its client goes away', async () => {
    const idle = value(await scrape(t), 'http_requests_in_flight');
    // Headers and half a body: the request is in the server until the rest arrives.
    const url = new URL(t.url);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"username":',
    );
    let held = idle;
    for (let i = 0; i < 50 && held === idle; i++) {
      await sleep(20);
      held = value(await scrape(t), 'http_requests_in_flight');
    }
    expect(held).toBe(idle + 1);
    socket.destroy();
    let after = held;
    for (let i = 0; i < 50 && after === held; i++) {
      await sleep(20);
      after = value(await scrape(t), 'http_requests_in_flight');
    }
    expect(after).toBe(idle);
  });
});

describe('db_pool_acquire_duration_seconds', () => {
  it('records how long requests waited for a database connection', async () => {
    const small = await startApp({ DATABASE_POOL_SIZE: '1' });
    const locker = await small.db.connect();
    try {
      const user = await signUp(small);
      const product = await createProduct(small, await promote(small, user), { stock: 5 });
      const before = await scrape(small);
      // The order waits on a row lock holding the pool's only connection; the profile read
      // behind it waits for the connection until the lock is released, 700 ms later.
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [product.id]);
      const order = small.http
        .post('/api/orders')
        .set('Authorization', user.bearer)
        .send({ items: [{ product_id: product.id, quantity: 1 }] })
        .then((res) => res.status);
      await sleep(150);
      const profile = small.http
        .get('/api/users/me')
        .set('Authorization', user.bearer)
        .then((res) => res.status);
      await sleep(700);
      await locker.query('ROLLBACK');
      expect(await Promise.all([order, profile])).toEqual([201, 200]);
      const after = await scrape(small);
      const delta = (series: string) => value(after, series) - value(before, series);
      expect(delta('db_pool_acquire_duration_seconds_count')).toBeGreaterThanOrEqual(2);
      // At least one checkout waited longer than half a second.
      expect(delta('db_pool_acquire_duration_seconds_bucket{le="0.5"}')).toBeLessThan(
        delta('db_pool_acquire_duration_seconds_count'),
      );
      expect(after).toMatch(/^# TYPE db_pool_acquire_duration_seconds histogram$/m);
    } finally {
      locker.release();
      await small.close();
    }
  });
});

const promote = async (app: TestApp, user: TestUser): Promise<TestUser> => {
  await app.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
  return user;
};

describe('outbox_oldest_unrelayed_age_seconds', () => {
  it('is 0 while the relay keeps up, grows while Redis is away, and falls back once it is back', async () => {
    const redis = await PrivateRedis.start();
    const app = await startIsolatedApp({ REDIS_URL: redis.url });
    try {
      expect(value(await scrape(app), 'outbox_oldest_unrelayed_age_seconds')).toBe(0);
      await redis.kill();
      // The welcome mail waits in the outbox.
      await register(app);
      await sleep(1200);
      const first = value(await scrape(app), 'outbox_oldest_unrelayed_age_seconds');
      expect(first).toBeGreaterThan(1);
      await sleep(500);
      expect(value(await scrape(app), 'outbox_oldest_unrelayed_age_seconds')).toBeGreaterThan(
        first,
      );
      await redis.restart();
      let age = first;
      for (let i = 0; i < 100 && age !== 0; i++) {
        await sleep(100);
        age = value(await scrape(app), 'outbox_oldest_unrelayed_age_seconds');
      }
      expect(age).toBe(0);
    } finally {
      await app.close();
      await redis.kill();
    }
  });
});
