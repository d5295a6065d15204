import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startApp } from '../support/test-app.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ip = (): string => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;

describe('the queue dashboard at /admin/queues', () => {
  it('does not exist unless credentials are configured', async () => {
    const t = await startApp();
    try {
      expectError(await t.http.get('/admin/queues'), 404);
    } finally {
      await t.close();
    }
  });

  it('asks for basic auth, refuses wrong credentials, and shows the queues', async () => {
    const t = await startApp({
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'correct horse battery',
    });
    try {
      const anonymous = await t.http.get('/admin/queues');
      expectError(anonymous, 401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="queues"/);
      expectError(
        await t.http.get('/admin/queues').set('Authorization', basic('ops', 'wrong')),
        401,
      );
      expectError(
        await t.http.get('/admin/queues/api/queues').set('Authorization', basic('ops', 'wrong')),
        401,
      );

      const page = await t.http
        .get('/admin/queues')
        .set('Authorization', basic('ops', 'correct horse battery'));
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<html/i);
      const api = await t.http
        .get('/admin/queues/api/queues')
        .set('Authorization', basic('ops', 'correct horse battery'));
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
        'email',
        'orders',
        'payments',
        'reports',
      ]);
    } finally {
      await t.close();
    }
  });

  it('locks an address out with 429 and Retry-After after BULL_BOARD_MAX_FAILURES wrong credentials, the right ones included', async () => {
    const t = await startApp({
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'correct horse battery',
      BULL_BOARD_MAX_FAILURES: '3',
      TRUST_PROXY: 'true',
    });
    try {
      const guesser = ip();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await t.http
          .get('/admin/queues/api/queues')
          .set('X-Forwarded-For', guesser)
          .set('Authorization', basic('ops', `guess-${i}`));
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401]);
      const locked = await t.http
        .get('/admin/queues/api/queues')
        .set('X-Forwarded-For', guesser)
        .set('Authorization', basic('ops', 'correct horse battery'));
      expectError(locked, 429);
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);

      // The operator at another address still gets in, and signing in is not a failure.
      const operator = ip();
      for (let i = 0; i < 5; i++) {
        const res = await t.http
          .get('/admin/queues/api/queues')
          .set('X-Forwarded-For', operator)
          .set('Authorization', basic('ops', 'correct horse battery'));
        expect(res.status).toBe(200);
      }
    } finally {
      await t.close();
    }
  });

  it('never locks out the right credentials, however many requests a page makes at once', async () => {
    const t = await startApp({
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'correct horse battery',
      BULL_BOARD_MAX_FAILURES: '3',
      TRUST_PROXY: 'true',
    });
    try {
      const operator = ip();
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          t.http
            .get('/admin/queues/api/queues')
            .set('X-Forwarded-For', operator)
            .set('Authorization', basic('ops', 'correct horse battery')),
        ),
      );
      expect(answers.map((res) => res.status)).toEqual(Array.from({ length: 12 }, () => 200));
    } finally {
      await t.close();
    }
  });

  it('sends no X-Powered-By banner', async () => {
    const t = await startApp({
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'correct horse battery',
    });
    try {
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        const res = await t.http
          .get(path)
          .set('Authorization', basic('ops', 'correct horse battery'));
        expect(res.status, path).toBe(200);
        expect(res.headers['x-powered-by'], path).toBeUndefined();
      }
      expect((await t.http.get('/admin/queues')).headers['x-powered-by']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('refuses every sign-in with 503 while Redis cannot count failures (fails closed)', async () => {
    const redis = await PrivateRedis.start();
    const t = await startApp({
      REDIS_URL: redis.url,
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'correct horse battery',
    });
    try {
      await redis.kill();
      const res = await t.http
        .get('/admin/queues/api/queues')
        .set('Authorization', basic('ops', 'correct horse battery'))
        .timeout(3000);
      expectError(res, 503);
    } finally {
      await t.close();
    }
  });
});
