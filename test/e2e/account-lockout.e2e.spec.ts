import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { expectError, register, signUp, unique } from '../support/factories.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startApp, type TestApp } from '../support/test-app.js';

const ip = (): string => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;

async function withApp(
  overrides: NodeJS.ProcessEnv,
  test: (t: TestApp) => Promise<void>,
): Promise<void> {
  const t = await startApp({
    TRUST_PROXY: 'true',
    AUTH_MAX_FAILURES: '3',
    AUTH_FAILURE_WINDOW: '900',
    ...overrides,
  });
  try {
    await test(t);
  } finally {
    await t.close();
  }
}

/** Each login from an address of its own, as a botnet or a rotating proxy sends them. */
const loginFrom = (t: TestApp, username: string, password: string) =>
  t.http.post('/api/auth/login').set('X-Forwarded-For', ip()).send({ username, password });

describe('failed logins counted per account (AUTH_MAX_FAILURES per AUTH_FAILURE_WINDOW)', () => {
  it('locks an account after the failures, from every address, with 429 and Retry-After, the right password included', () =>
    withApp({}, async (t) => {
      const [victim, bystander] = await Promise.all([register(t), register(t)]);
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await loginFrom(t, victim.username, `guess-number-${i}`)).status);
      expect(statuses).toEqual([401, 401, 401]);

      const locked = await loginFrom(t, victim.username, victim.password);
      expect(expectError(locked, 429).message).toMatch(/failed sign-ins/);
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      // The same name in another case is the same name.
      expectError(await loginFrom(t, victim.username.toUpperCase(), victim.password), 429);
      expect((await loginFrom(t, bystander.username, bystander.password)).status).toBe(200);
    }));

  it('counts the account, not the name: failures by username lock the email too, and back', () =>
    withApp({}, async (t) => {
      const [a, b] = await Promise.all([register(t), register(t)]);
      await loginFrom(t, a.username, 'guess-number-0');
      await loginFrom(t, a.email, 'guess-number-1');
      await loginFrom(t, a.username, 'guess-number-2');
      expectError(await loginFrom(t, a.email.toUpperCase(), a.password), 429);
      for (let i = 0; i < 3; i++) await loginFrom(t, b.email, `guess-number-${i}`);
      expectError(await loginFrom(t, b.username, b.password), 429);
    }));

  it('answers an unknown account exactly like a known one, so locking tells nothing about existence', () =>
    withApp({}, async (t) => {
      const known = await register(t);
      const unknown = unique('nobody');
      const answers = async (username: string) => {
        const seen: [number, string][] = [];
        for (let i = 0; i < 5; i++) {
          const res = await loginFrom(t, username, `guess-number-${i}`);
          seen.push([res.status, res.body.message as string]);
        }
        return seen;
      };
      const forKnown = await answers(known.username);
      expect(forKnown.map(([status]) => status)).toEqual([401, 401, 401, 429, 429]);
      expect(await answers(unknown)).toEqual(forKnown);
    }));

  it('lets exactly AUTH_MAX_FAILURES of a burst of concurrent guesses through to the password check', () =>
    withApp({}, async (t) => {
      const victim = await register(t);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => loginFrom(t, victim.username, `guess-${i}-xyz`)),
      );
      expect(results.filter((r) => r.status === 401)).toHaveLength(3);
      expect(results.filter((r) => r.status === 429)).toHaveLength(9);
    }));

  it('keeps counting while the event loop lags far behind a healthy Redis (no fail-open)', () =>
    withApp({}, async (t) => {
      const victim = await register(t);
      // The api runs in this process: a busy loop here is a busy api (a flood of large bodies).
      // Each Redis answer then waits past the counters' 150 ms deadline to be read, which used
      // to count as Redis being down and suspended the counting.
      // Every turn of the loop ends with 160 ms of work, so whatever Redis answers is read only
      // in the next turn, after that turn's overdue timers.
      let lagging = true;
      let lag: NodeJS.Immediate | undefined;
      const busy = (): void => {
        const until = Date.now() + 160;
        while (Date.now() < until) {
          // busy
        }
        if (lagging) lag = setImmediate(busy);
      };
      lag = setImmediate(busy);
      try {
        const statuses = [];
        for (let i = 0; i < 4; i++)
          statuses.push((await loginFrom(t, victim.username, `guess-${i}-xyz`)).status);
        expect(statuses).toEqual([401, 401, 401, 429]);
      } finally {
        lagging = false;
        clearImmediate(lag);
      }
    }));

  it('does not count successful logins', () =>
    withApp({}, async (t) => {
      const user = await register(t);
      for (let i = 0; i < 5; i++)
        expect((await loginFrom(t, user.username, user.password)).status).toBe(200);
      expectError(await loginFrom(t, user.username, 'wrong-one-here'), 401);
    }));

  it('starts the window at the first failure, not at a successful login before it', () =>
    withApp({ AUTH_FAILURE_WINDOW: '6' }, async (t) => {
      const user = await register(t);
      expect((await loginFrom(t, user.username, user.password)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      for (let i = 0; i < 3; i++) await loginFrom(t, user.username, `guess-number-${i}`);
      const locked = await loginFrom(t, user.username, user.password);
      expectError(locked, 429);
      // Locked for the window counted from the first failure, not for what a success left of it.
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(4);
    }));

  it('lets the account sign in again once the window ends', () =>
    withApp({ AUTH_FAILURE_WINDOW: '2' }, async (t) => {
      const user = await register(t);
      for (let i = 0; i < 3; i++) await loginFrom(t, user.username, `guess-number-${i}`);
      const locked = await loginFrom(t, user.username, user.password);
      expectError(locked, 429);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await loginFrom(t, user.username, user.password)).status).toBe(200);
    }));

  it('counts a wrong current_password on PUT /api/users/me as a failed login of that account', () =>
    withApp({}, async (t) => {
      const user = await signUp(t);
      for (let i = 0; i < 3; i++) {
        const res = await t.http
          .put('/api/users/me')
          .set('Authorization', user.bearer)
          .set('X-Forwarded-For', ip())
          .send({ password: 'another-new-password', current_password: `guess-number-${i}` });
        expect(expectError(res, 400).errors).toHaveProperty('current_password');
      }
      expectError(await loginFrom(t, user.username, user.password), 429);
      expectError(await loginFrom(t, user.email, user.password), 429);
      const locked = await t.http
        .put('/api/users/me')
        .set('Authorization', user.bearer)
        .send({ password: 'another-new-password', current_password: user.password });
      expectError(locked, 429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    }));

  it('keeps its counters in Redis with a TTL, under the deployment prefix', () =>
    withApp({}, async (t) => {
      await loginFrom(t, unique('nobody'), 'wrong-password');
      const redis = new Redis(t.config.redis.url);
      try {
        const keys = await redis.keys(`${t.config.redis.prefix}:{auth-failures}:*`);
        expect(keys).toHaveLength(1);
        const ttl = await redis.ttl(keys[0]!);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(900);
      } finally {
        redis.disconnect();
      }
    }));

  it('lets logins through when Redis is down (fails open, like the rate limits)', async () => {
    const redis = await PrivateRedis.start();
    await withApp({ REDIS_URL: redis.url, AUTH_MAX_FAILURES: '1' }, async (t) => {
      const user = await register(t);
      await redis.kill();
      expectError(await loginFrom(t, user.username, 'wrong-password').timeout(3000), 401);
      expect((await loginFrom(t, user.username, user.password).timeout(3000)).status).toBe(200);
    });
  });
});

describe('PUT /api/users/me under the strict limit', () => {
  it('counts requests that carry current_password against AUTH_RATE_LIMIT_REQUESTS, and others not', () =>
    withApp({ AUTH_RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_REQUESTS: '100' }, async (t) => {
      const user = await signUp(t);
      const client = ip();
      const put = (body: object) =>
        t.http
          .put('/api/users/me')
          .set('Authorization', user.bearer)
          .set('X-Forwarded-For', client)
          .send(body);
      for (let i = 0; i < 3; i++) expect((await put({ username: unique() })).status).toBe(200);
      const guess = { password: 'another-new-password', current_password: 'a-wrong-guess' };
      expectError(await put(guess), 400);
      expectError(await put(guess), 400);
      const limited = await put(guess);
      expectError(limited, 429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await put({ username: unique() })).status).toBe(200);
    }));
});
