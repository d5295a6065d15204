import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, signUp, type TestUser } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startApp, type TestApp } from '../support/test-app.js';

const cacheOf = (res: { headers: Record<string, string> }) => res.headers['x-cache'];

/** Reads until the cache is in use again (Redis reconnects within a couple of seconds). */
async function untilCached(t: TestApp, path: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (cacheOf(await t.http.get(path)) !== 'BYPASS') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} still bypasses the cache`);
}

describe('with Redis killed and restarted', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startApp({ REDIS_URL: redis.url });
    admin = await signUp(t, { role: 'admin' });
  });
  afterAll(async () => {
    await t.close();
    await redis.kill();
  });

  it('serves reads from the database (BYPASS), accepts writes, and uses the cache again once Redis is back', async () => {
    const product = await createProduct(t, admin, { price: 5 });
    const path = `/api/products/${product.id}`;
    await t.http.get(path);
    expect(cacheOf(await t.http.get(path))).toBe('HIT');

    await redis.kill();
    const detail = await t.http.get(path).timeout(5000);
    expect(detail.status).toBe(200);
    expect(cacheOf(detail)).toBe('BYPASS');
    const listed = await t.http.get('/api/products?page_size=1').timeout(5000);
    expect([listed.status, cacheOf(listed)]).toEqual([200, 'BYPASS']);
    const write = await t.http
      .patch(path)
      .set('Authorization', admin.bearer)
      .send({ price: 6 })
      .timeout(5000);
    expect(write.status).toBe(200);
    expect((await t.http.get(path)).body.data.price).toBe(6);

    await redis.restart();
    await untilCached(t, path);
    // The lost invalidation changes the cache's epoch once (this process's retry or the outbox
    // relay, whichever is first; the other finds it changed since): the next read is a hit.
    const again = await t.http.get(path);
    expect(cacheOf(again)).toBe('HIT');
    expect(again.body.data.price).toBe(6);
  });
});

describe('with Redis too slow to answer', () => {
  it('answers from the database instead of waiting', async () => {
    const redis = await PrivateRedis.start();
    const t = await startApp({ REDIS_URL: redis.url });
    const sleeper = redis.client();
    try {
      const admin = await signUp(t, { role: 'admin' });
      const product = await createProduct(t, admin);
      await sleeper.connect();
      const asleep = sleeper.call('DEBUG', 'SLEEP', '3');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await t.http.get(`/api/products/${product.id}`).timeout(2500);
      expect([res.status, cacheOf(res)]).toEqual([200, 'BYPASS']);
      await asleep;
    } finally {
      sleeper.disconnect();
      await t.close();
      await redis.kill();
    }
  });
});

describe('with Redis unreachable during a write but keeping its data', () => {
  it('never serves the entry cached before the write once Redis is reachable again', async () => {
    const redis = await PrivateRedis.start();
    const proxy = await TcpProxy.start(redis.port);
    const t = await startApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}/0` });
    try {
      const admin = await signUp(t, { role: 'admin' });
      const product = await createProduct(t, admin, { price: 10 });
      const path = `/api/products/${product.id}`;
      await t.http.get(path);
      expect(cacheOf(await t.http.get(path))).toBe('HIT');

      await proxy.cut();
      const write = await t.http.patch(path).set('Authorization', admin.bearer).send({ price: 20 });
      expect(write.status).toBe(200);
      await proxy.restore();

      const deadline = Date.now() + 15_000;
      let cached = false;
      while (Date.now() < deadline && !cached) {
        const res = await t.http.get(path);
        expect(res.body.data.price).toBe(20);
        cached = cacheOf(res) !== 'BYPASS';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(cached).toBe(true);
      expect((await t.http.get(path)).body.data.price).toBe(20);
    } finally {
      await t.close();
      await proxy.close();
      await redis.kill();
    }
  });
});
