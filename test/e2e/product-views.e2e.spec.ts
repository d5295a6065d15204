import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { slotGroup } from '../../src/infra/redis/redis-keys.js';
import { REDIS_URL, runDatabaseUrl } from '../support/env.js';
import { createProduct, signUp, type TestUser } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually } from '../support/smtp-sink.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startApp, type TestApp } from '../support/test-app.js';

/**
 * CONTRACT §8: views count detail reads, cached ones included, in Redis, and are written back to
 * products.views in batches (VIEWS_FLUSH_INTERVAL, 1 s here) by the processes running workers.
 */

const FLUSHING = { RUN_WORKERS: 'true', VIEWS_FLUSH_INTERVAL: '1' };
const cacheOf = (res: { headers: Record<string, string> }) => res.headers['x-cache'];

async function storedViews(t: TestApp, id: number): Promise<number> {
  const { rows } = await t.db.query('SELECT views FROM products WHERE id = $1', [id]);
  return Number(rows[0].views);
}

/** Waits for the views to reach `expected`, then checks they stay there through two flushes. */
async function settlesAt(t: TestApp, id: number, expected: number): Promise<void> {
  await eventually(async () => {
    expect(await storedViews(t, id)).toBe(expected);
  }, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(await storedViews(t, id)).toBe(expected);
}

describe('views on one api that flushes', () => {
  let t: TestApp;
  let admin: TestUser;
  let redis: Redis;

  beforeAll(async () => {
    t = await startApp(FLUSHING);
    admin = await signUp(t, { role: 'admin' });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('counts every detail read, cache hits and concurrent misses included, and writes them back', async () => {
    const product = await createProduct(t, admin);
    const path = `/api/products/${product.id}`;
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await t.http.get(path));
    results.push(...(await Promise.all(Array.from({ length: 15 }, () => t.http.get(path)))));
    expect(results.every((res) => res.status === 200)).toBe(true);
    expect(cacheOf(results[0]!)).toBe('MISS');
    expect(results.filter((res) => cacheOf(res) === 'HIT').length).toBeGreaterThanOrEqual(20);
    await settlesAt(t, product.id, 25);
  });

  it('counts neither missing products, invalid ids, HEADs, list reads nor other routes as views', async () => {
    const product = await createProduct(t, admin);
    await t.http.get(`/api/products/${product.id}`);
    // A miss and a hit, as HEADs: the headers, not a read.
    for (let i = 0; i < 2; i++)
      expect((await t.http.head(`/api/products/${product.id}`)).status).toBe(200);
    const fresh = await createProduct(t, admin);
    expect((await t.http.head(`/api/products/${fresh.id}`)).status).toBe(200);
    await t.http.get('/api/products/987654321');
    await t.http.get('/api/products/987654321');
    await t.http.get('/api/products/abc');
    await t.http.get(`/api/products?page_size=1`);
    await t.http.get(`/api/products/${product.id}/reviews`);
    await t.http.post('/api/products/batch').send({ ids: [product.id] });
    await settlesAt(t, product.id, 1);
    expect(await storedViews(t, fresh.id)).toBe(0);
    const { rows } = await t.db.query('SELECT views FROM products WHERE id = 987654321');
    expect(rows).toEqual([]);
  });

  it('keeps the counts in one hash with a lifetime, under the deployment’s hash tag', async () => {
    // A second app with the same prefix that counts but never flushes: its key stays to be seen.
    const counting = await startApp({ RUN_WORKERS: 'false' });
    try {
      const product = await createProduct(counting, admin);
      await counting.http.get(`/api/products/${product.id}`);
      await counting.http.get(`/api/products/${product.id}`);
      const key = `${slotGroup(counting.config.redis.prefix, 'reads')}:product-views`;
      await eventually(async () => {
        expect(await redis.hget(key, String(product.id))).toBe('2');
      });
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
      await redis.del(key);
    } finally {
      await counting.close();
    }
  });

  it('shows the written-back views on the next cached detail and list read (a few seconds behind at most)', async () => {
    const product = await createProduct(t, admin);
    const path = `/api/products/${product.id}`;
    const list = `/api/products?search=${encodeURIComponent(product.name)}`;
    const listed = async () => {
      const res = await t.http.get(list);
      return [cacheOf(res), res.body.data.items[0]?.views];
    };
    expect(await listed()).toEqual(['MISS', 0]);
    expect(await listed()).toEqual(['HIT', 0]);
    for (let i = 0; i < 3; i++) await t.http.get(path);
    await settlesAt(t, product.id, 3);
    // The write-back replaced the cached list and detail: no product write was needed. (The
    // list first: the detail read counts a view, whose write-back replaces them again.)
    expect(await listed()).toEqual(['MISS', 3]);
    const fresh = await t.http.get(path);
    expect([cacheOf(fresh), fresh.body.data.views]).toEqual(['MISS', 3]);
  });
});

describe('views on two apis flushing at once', () => {
  it('never writes a view twice, nor loses one', async () => {
    const prefix = `test:${inject('runId')}:views${randomBytes(3).toString('hex')}`;
    const [a, b] = await Promise.all([
      startApp({ ...FLUSHING, REDIS_PREFIX: prefix }),
      startApp({ ...FLUSHING, REDIS_PREFIX: prefix }),
    ]);
    try {
      const admin = await signUp(a, { role: 'admin' });
      const product = await createProduct(a, admin);
      const path = `/api/products/${product.id}`;
      // Reads spread over both, for longer than several flush intervals of each.
      const until = Date.now() + 3500;
      let reads = 0;
      while (Date.now() < until) {
        const batch = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).http.get(path)),
        );
        expect(batch.every((res) => res.status === 200)).toBe(true);
        reads += batch.length;
      }
      await settlesAt(a, product.id, reads);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('views when a dependency is away', () => {
  it('answers detail reads while Redis is down (no view counted, none failed), and counts again once it is back', async () => {
    const redis = await PrivateRedis.start();
    const t = await startApp({ ...FLUSHING, REDIS_URL: redis.url });
    try {
      const admin = await signUp(t, { role: 'admin' });
      const product = await createProduct(t, admin);
      const path = `/api/products/${product.id}`;
      for (let i = 0; i < 5; i++) await t.http.get(path);
      await settlesAt(t, product.id, 5);

      await redis.kill();
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        const res = await t.http.get(path).timeout(3000);
        expect([res.status, cacheOf(res)]).toEqual([200, 'BYPASS']);
        expect(Date.now() - started).toBeLessThan(1000);
      }

      await redis.restart();
      await eventually(async () => {
        expect(cacheOf(await t.http.get(path))).not.toBe('BYPASS');
      });
      // The reads while it was away are the ones lost; once the reads that found it back are
      // written, every further read counts again.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const before = await storedViews(t, product.id);
      expect(before).toBeGreaterThanOrEqual(5);
      for (let i = 0; i < 4; i++) await t.http.get(path);
      await settlesAt(t, product.id, before + 4);
    } finally {
      await t.close();
      await redis.kill();
    }
  });

  it('answers reads at once while Redis is too slow to answer, counting nothing it cannot', async () => {
    const redis = await PrivateRedis.start();
    const t = await startApp({ REDIS_URL: redis.url });
    const sleeper = redis.client();
    try {
      const admin = await signUp(t, { role: 'admin' });
      const product = await createProduct(t, admin);
      await sleeper.connect();
      const asleep = sleeper.call('DEBUG', 'SLEEP', '3');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const res = await t.http.get(`/api/products/${product.id}`).timeout(2500);
      expect([res.status, cacheOf(res)]).toEqual([200, 'BYPASS']);
      // Bounded by the cache's 150 ms timeout, not by the 3 s stall.
      expect(Date.now() - started).toBeLessThan(1500);
      await asleep;
    } finally {
      sleeper.disconnect();
      await t.close();
      await redis.kill();
    }
  });

  it('gives counts back while PostgreSQL is unreachable and writes them once it is back', async () => {
    const target = new URL(runDatabaseUrl());
    const proxy = await TcpProxy.start(Number(target.port || 5432), target.hostname);
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    // The flushing process loses PostgreSQL; reads are answered by another that keeps it (a
    // write-back invalidates the detail it cached, so its reads need a database of their own).
    const prefix = `test:${inject('runId')}:views${randomBytes(3).toString('hex')}`;
    const [t, reader] = await Promise.all([
      startApp({ ...FLUSHING, DATABASE_URL: viaProxy.toString(), REDIS_PREFIX: prefix }),
      startApp({ RUN_WORKERS: 'false', REDIS_PREFIX: prefix }),
    ]);
    try {
      const admin = await signUp(reader, { role: 'admin' });
      const product = await createProduct(reader, admin);
      const path = `/api/products/${product.id}`;
      await reader.http.get(path);
      await settlesAt(reader, product.id, 1);

      await proxy.cut();
      // Reads are counted in Redis; the flushes fail and give them back.
      for (let i = 0; i < 6; i++) expect((await reader.http.get(path)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await proxy.restore();
      await settlesAt(reader, product.id, 7);
    } finally {
      await Promise.all([t.close(), reader.close()]);
      await proxy.close();
    }
  });
});
