import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startApp, type TestApp } from '../support/test-app.js';

const ip = (): string => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;
const limited = (overrides: NodeJS.ProcessEnv = {}) =>
  startApp({
    TRUST_PROXY: 'true',
    RATE_LIMIT_REQUESTS: '5',
    AUTH_RATE_LIMIT_REQUESTS: '3',
    ...overrides,
  });

async function withApp(
  overrides: NodeJS.ProcessEnv,
  test: (t: TestApp) => Promise<void>,
): Promise<void> {
  const t = await limited(overrides);
  try {
    await test(t);
  } finally {
    await t.close();
  }
}

describe('the general limit', () => {
  it('allows RATE_LIMIT_REQUESTS per client IP per window, counting down in headers, then 429 with Retry-After', () =>
    withApp({}, async (t) => {
      const client = ip();
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.http.get('/api/products?page_size=1').set('X-Forwarded-For', client);
        expect(res.status).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBe('5');
        remaining.push(res.headers['x-ratelimit-remaining']!);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      const refused = await t.http.get('/api/products?page_size=1').set('X-Forwarded-For', client);
      expect(expectError(refused, 429).message).toMatch(/Too many requests/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refused.headers['x-ratelimit-limit']).toBe('5');
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(
        (await t.http.get('/api/products?page_size=1').set('X-Forwarded-For', ip())).status,
      ).toBe(200);
    }));

  it('counts one client across all routes, not per route', () =>
    withApp({}, async (t) => {
      const client = ip();
      // /api/users/me answers 401, and still counts: the limit runs before authentication.
      for (const path of [
        '/api/products',
        '/api/products/hot',
        '/api/products/1',
        '/api/orders',
        '/api/users/me',
      ]) {
        await t.http.get(path).set('X-Forwarded-For', client);
      }
      expectError(await t.http.get('/api/products').set('X-Forwarded-For', client), 429);
    }));

  it('counts and limits cached reads like any other request', () =>
    withApp({ RATE_LIMIT_REQUESTS: '3' }, async (t) => {
      const client = ip();
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push(await t.http.get('/api/products/hot').set('X-Forwarded-For', client));
      expect(
        answers.map((r) => [r.status, r.headers['x-cache'], r.headers['x-ratelimit-remaining']]),
      ).toEqual([
        [200, 'MISS', '2'],
        [200, 'HIT', '1'],
        [200, 'HIT', '0'],
        [429, undefined, '0'],
      ]);
      expect(expectError(answers[3]!, 429).message).toMatch(/Too many requests/);
      expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThan(0);
    }));

  it('counts and limits requests whose bodies are refused (malformed, not JSON, too large, wrong charset) like any other', () =>
    withApp({ RATE_LIMIT_REQUESTS: '5', AUTH_RATE_LIMIT_REQUESTS: '100' }, async (t) => {
      const client = ip();
      const send = (type: string, body: string | Buffer) =>
        t.http
          .post('/api/auth/login')
          .set('X-Forwarded-For', client)
          .set('Content-Type', type)
          .send(body);
      const answers = [
        await send('application/json', '{bad'),
        await send('text/plain', 'hello'),
        await send('application/json', Buffer.alloc(1024 * 1024 + 1, 0x20)),
        await send('application/json; charset=latin1', '{}'),
        await send('application/json', JSON.stringify({ a: 'x\u0000' })),
        await send('application/json', '{bad'),
      ];
      expect(answers.map((r) => [r.status, r.headers['x-ratelimit-remaining']])).toEqual([
        [400, '4'],
        [400, '3'],
        [413, '2'],
        [415, '1'],
        [400, '0'],
        [429, '0'],
      ]);
      expect(Number(answers[5]!.headers['retry-after'])).toBeGreaterThan(0);
      // The limit is the client's, across routes: a valid request is refused now too.
      expectError(await t.http.get('/api/products').set('X-Forwarded-For', client), 429);
    }));

  it('never limits a refused body on a probe, metrics or docs', () =>
    withApp({ RATE_LIMIT_REQUESTS: '2' }, async (t) => {
      const client = ip();
      for (let i = 0; i < 4; i++) {
        const res = await t.http
          .get('/health/live')
          .set('X-Forwarded-For', client)
          .set('Content-Type', 'application/json')
          .send('{bad');
        expect(res.status).toBe(400);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    }));

  it('lets exactly the limit through when requests arrive together', () =>
    withApp({ RATE_LIMIT_REQUESTS: '10' }, async (t) => {
      const client = ip();
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          t.http.get('/api/products/hot').set('X-Forwarded-For', client),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(10);
      expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    }));

  it('never limits probes, metrics or docs', () =>
    withApp({}, async (t) => {
      const client = ip();
      for (let i = 0; i < 12; i++) {
        for (const path of ['/health/live', '/health/ready', '/health', '/metrics', '/docs-json']) {
          const res = await t.http.get(path).set('X-Forwarded-For', client);
          expect(res.status, path).toBe(200);
          expect(res.headers['x-ratelimit-limit']).toBeUndefined();
        }
      }
    }));

  it('ignores X-Forwarded-For unless TRUST_PROXY says a proxy is in front', () =>
    withApp({ TRUST_PROXY: 'false' }, async (t) => {
      for (let i = 0; i < 5; i++)
        await t.http.get('/api/products/hot').set('X-Forwarded-For', ip());
      expectError(await t.http.get('/api/products/hot').set('X-Forwarded-For', ip()), 429);
    }));

  it('trusts only the hop in front, so a client cannot pick its own address', () =>
    withApp({}, async (t) => {
      const client = ip();
      for (let i = 0; i < 5; i++)
        await t.http.get('/api/products/hot').set('X-Forwarded-For', `${ip()}, ${client}`);
      expectError(
        await t.http.get('/api/products/hot').set('X-Forwarded-For', `${ip()}, ${client}`),
        429,
      );
    }));
});

describe('the strict limit on credentials and mail', () => {
  it('allows AUTH_RATE_LIMIT_REQUESTS logins, then 429 with Retry-After, while other routes still answer', () =>
    withApp({ RATE_LIMIT_REQUESTS: '100' }, async (t) => {
      const client = ip();
      for (let i = 0; i < 3; i++) {
        const res = await t.http
          .post('/api/auth/login')
          .set('X-Forwarded-For', client)
          .send({ username: 'nobody', password: 'wrong-password' });
        expect(res.status).toBe(401);
      }
      const refused = await t.http
        .post('/api/auth/login')
        .set('X-Forwarded-For', client)
        .send({ username: 'nobody', password: 'wrong-password' });
      expectError(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expectError(
        await t.http.post('/api/auth/register').set('X-Forwarded-For', client).send({}),
        429,
      );
      expect((await t.http.get('/api/products/hot').set('X-Forwarded-For', client)).status).toBe(
        200,
      );
    }));

  it('describes the limit nearest to refusing in the plain headers, so a 429 says Remaining 0', () =>
    withApp({ RATE_LIMIT_REQUESTS: '100' }, async (t) => {
      const client = ip();
      const login = () =>
        t.http
          .post('/api/auth/login')
          .set('X-Forwarded-For', client)
          .send({ username: 'nobody', password: 'wrong-password' });
      const headers = [];
      for (let i = 0; i < 4; i++) {
        const res = await login();
        headers.push([
          res.status,
          res.headers['x-ratelimit-limit'],
          res.headers['x-ratelimit-remaining'],
          res.headers['x-ratelimit-limit-strict'],
          res.headers['x-ratelimit-remaining-strict'],
        ]);
      }
      expect(headers).toEqual([
        [401, '3', '2', '3', '2'],
        [401, '3', '1', '3', '1'],
        [401, '3', '0', '3', '0'],
        [429, '3', '0', '3', '0'],
      ]);
      // Elsewhere the general limit is the nearest, counted across the logins too.
      const other = await t.http.get('/api/products/hot').set('X-Forwarded-For', client);
      expect([other.headers['x-ratelimit-limit'], other.headers['x-ratelimit-remaining']]).toEqual([
        '100',
        '95',
      ]);
    }));

  it.each(['register', 'login', 'refresh', 'forgot-password', 'reset-password', 'verify-email'])(
    'applies to /api/auth/%s',
    (route) =>
      withApp({ RATE_LIMIT_REQUESTS: '100', AUTH_RATE_LIMIT_REQUESTS: '1' }, async (t) => {
        const client = ip();
        await t.http.post(`/api/auth/${route}`).set('X-Forwarded-For', client).send({});
        expectError(
          await t.http.post(`/api/auth/${route}`).set('X-Forwarded-For', client).send({}),
          429,
        );
      }),
  );
});

describe('across replicas', () => {
  it('holds one limit for two api instances on one Redis', async () => {
    const prefix = `test:shared:${randomBytes(4).toString('hex')}`;
    const [a, b] = await Promise.all([
      limited({ REDIS_PREFIX: prefix }),
      limited({ REDIS_PREFIX: prefix }),
    ]);
    try {
      const client = ip();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const app = i % 2 === 0 ? a : b;
        statuses.push(
          (await app.http.get('/api/products/hot').set('X-Forwarded-For', client)).status,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('with Redis down', () => {
  it('lets requests through rather than failing them', async () => {
    const redis = await PrivateRedis.start();
    const t = await limited({ REDIS_URL: redis.url });
    try {
      const client = ip();
      await redis.kill();
      for (let i = 0; i < 8; i++) {
        const res = await t.http
          .get('/api/products/hot')
          .set('X-Forwarded-For', client)
          .timeout(3000);
        expect(res.status).toBe(200);
      }
    } finally {
      await t.close();
    }
  });
});
