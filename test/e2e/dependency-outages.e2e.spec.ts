import { describe, expect, it } from 'vitest';
import { createOrder, createProduct, expectError, signUp } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually } from '../support/smtp-sink.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startApp } from '../support/test-app.js';
import { runDatabaseUrl } from '../support/env.js';

const READINESS_DEADLINE_MS = 5000;

describe('PostgreSQL unreachable', () => {
  it('turns readiness 503 within 5 s, keeps liveness, fails requests fast with 503, and recovers without a restart', async () => {
    const target = new URL(runDatabaseUrl());
    const proxy = await TcpProxy.start(Number(target.port || 5432), target.hostname);
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const t = await startApp({ DATABASE_URL: viaProxy.toString() });
    try {
      const [admin, user] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
      const product = await createProduct(t, admin);
      await t.http.get(`/api/products/${product.id}`);

      await proxy.cut();
      const cutAt = Date.now();
      const ready = await eventually(
        async () => {
          const res = await t.http.get('/health/ready');
          expect(res.status).toBe(503);
          return res;
        },
        READINESS_DEADLINE_MS,
        100,
      );
      expect(Date.now() - cutAt).toBeLessThan(READINESS_DEADLINE_MS);
      expect(ready.body).toMatchObject({
        code: 503,
        status: 'error',
        error: { database: { status: 'down' } },
        errors: { database: expect.stringMatching(/^down/) },
      });
      expect((await t.http.get('/health/live')).status).toBe(200);

      const me = await t.http.get('/api/users/me').set('Authorization', user.bearer).timeout(6000);
      expect(expectError(me, 503).message).toBe('Service temporarily unavailable, please retry');
      expectError(
        await t.http
          .post('/api/orders')
          .set('Authorization', user.bearer)
          .send({ items: [{ product_id: product.id, quantity: 1 }] })
          .timeout(6000),
        503,
      );
      const cached = await t.http.get(`/api/products/${product.id}`);
      expect([cached.status, cached.headers['x-cache']]).toEqual([200, 'HIT']);

      await proxy.restore();
      await eventually(async () => {
        expect((await t.http.get('/health/ready')).status).toBe(200);
      }, 15_000);
      await eventually(async () => {
        expect((await t.http.get('/api/users/me').set('Authorization', user.bearer)).status).toBe(
          200,
        );
      }, 15_000);
      await createOrder(t, user, [{ product_id: product.id, quantity: 1 }]);
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});

describe('Redis unreachable', () => {
  it('turns readiness 503 within 5 s, keeps liveness and the API, and recovers without a restart', async () => {
    const redis = await PrivateRedis.start();
    const t = await startApp({ REDIS_URL: redis.url, RATE_LIMIT_REQUESTS: '1000' });
    try {
      const [admin, user] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
      const product = await createProduct(t, admin);

      await redis.kill();
      const killedAt = Date.now();
      const ready = await eventually(
        async () => {
          const res = await t.http.get('/health/ready');
          expect(res.status).toBe(503);
          return res;
        },
        READINESS_DEADLINE_MS,
        100,
      );
      expect(Date.now() - killedAt).toBeLessThan(READINESS_DEADLINE_MS);
      expect(ready.body.error).toMatchObject({ redis: { status: 'down' } });
      expect((await t.http.get('/health/live')).status).toBe(200);

      const read = await t.http.get(`/api/products/${product.id}`).timeout(3000);
      expect([read.status, read.headers['x-cache']]).toEqual([200, 'BYPASS']);
      const order = await t.http
        .post('/api/orders')
        .set('Authorization', user.bearer)
        .send({ items: [{ product_id: product.id, quantity: 1 }] })
        .timeout(3000);
      expect(order.status).toBe(201);

      await redis.restart();
      await eventually(async () => {
        expect((await t.http.get('/health/ready')).status).toBe(200);
      }, 15_000);
    } finally {
      await t.close();
      await redis.kill();
    }
  });
});
