import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintLinkToken } from '../../src/common/security/link-token.js';
import { createProduct, expectError, login, signUp, type TestUser } from '../support/factories.js';
import { databaseUrl } from '../support/env.js';
import { dropDatabase } from '../support/processes.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually } from '../support/smtp-sink.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startApp, startIsolatedApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

/**
 * The session check answered from Redis (SESSION_CACHE_TTL). On a database of its own: one
 * test locks auth_sessions, which would stall every other file's logins.
 */
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startIsolatedApp({ REQUEST_TIMEOUT_MS: '1000', SESSION_CACHE_TTL: '60' });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

/** An authenticated route that reads nothing of the login itself. */
const get = (app: TestApp, bearer: string) =>
  app.http.get('/api/orders').set('Authorization', bearer);
const logout = (app: TestApp, user: TestUser) =>
  app.http
    .post('/api/auth/logout')
    .set('Authorization', user.bearer)
    .send({ refresh_token: user.tokens.refresh_token });
const bearerOf = (tokens: { access_token: string }) => `Bearer ${tokens.access_token}`;

describe('the session check from Redis', () => {
  it('answers a login checked before without reading PostgreSQL, and an unchecked one from it', async () => {
    const [cached, fresh] = await Promise.all([signUp(t), signUp(t)]);
    expect((await get(t, cached.bearer)).status).toBe(200);
    // While auth_sessions is locked, any request that reads it waits (and times out with 503).
    const locker = await t.db.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE auth_sessions IN ACCESS EXCLUSIVE MODE');
      const burst = await Promise.all(Array.from({ length: 20 }, () => get(t, cached.bearer)));
      expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
      expectError(await get(t, fresh.bearer), 503);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect((await get(t, fresh.bearer)).status).toBe(200);
  });

  it('ends a login on the request right after logout', async () => {
    const user = await signUp(t);
    expect((await get(t, user.bearer)).status).toBe(200);
    expect((await logout(t, user)).status).toBe(204);
    expectError(await get(t, user.bearer), 401);
  });

  it('ends the other logins on the request right after a password change, keeping this one', async () => {
    const user = await signUp(t);
    const other = bearerOf(await login(t, user.username, user.password));
    for (const bearer of [user.bearer, other]) expect((await get(t, bearer)).status).toBe(200);
    const changed = await t.http
      .put('/api/users/me')
      .set('Authorization', user.bearer)
      .send({ current_password: user.password, password: 'a-new-password-42' });
    expect(changed.status).toBe(200);
    expectError(await get(t, other), 401);
    expect((await get(t, user.bearer)).status).toBe(200);
  });

  it('ends every login on the request right after a password reset', async () => {
    const user = await signUp(t);
    expect((await get(t, user.bearer)).status).toBe(200);
    expect(
      (await t.http.post('/api/auth/forgot-password').send({ email: user.email })).status,
    ).toBe(202);
    const id = await eventually(async () => {
      const { rows } = await t.db.query(
        `SELECT id FROM user_tokens WHERE user_id = $1 AND purpose = 'reset_password'`,
        [user.id],
      );
      expect(rows).toHaveLength(1);
      return rows[0].id as number;
    });
    const reset = await t.http.post('/api/auth/reset-password').send({
      token: mintLinkToken(TEST_JWT_SECRET, 'reset_password', id),
      password: 'reset-password-42',
    });
    expect(reset.status).toBe(204);
    expectError(await get(t, user.bearer), 401);
  });

  it('applies a role change and a deactivation on the very next request', async () => {
    const user = await signUp(t);
    const patch = (body: object) =>
      t.http.patch(`/api/users/${user.id}`).set('Authorization', admin.bearer).send(body);
    const adminRoute = () => t.http.get('/api/users').set('Authorization', user.bearer);
    expectError(await adminRoute(), 403);
    expect((await patch({ role: 'admin' })).status).toBe(200);
    expect((await adminRoute()).status).toBe(200);
    expect((await patch({ role: 'customer' })).status).toBe(200);
    expectError(await adminRoute(), 403);
    expect((await get(t, user.bearer)).status).toBe(200);
    expect((await patch({ is_active: false })).status).toBe(200);
    expectError(await get(t, user.bearer), 403);
  });
});

describe('the session check while Redis is away', () => {
  let redis: PrivateRedis;
  let proxy: TcpProxy;
  let app: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    proxy = await TcpProxy.start(redis.port);
    app = await startApp({
      DATABASE_URL: t.config.database.url,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}/0`,
      SESSION_CACHE_TTL: '60',
    });
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await redis.kill();
  });

  it('answers from PostgreSQL, and never serves a login revoked meanwhile once Redis is back', async () => {
    const [user, leaving] = await Promise.all([signUp(app), signUp(app)]);
    for (const u of [user, leaving]) expect((await get(app, u.bearer)).status).toBe(200);

    await proxy.cut();
    expect((await get(app, user.bearer)).status).toBe(200);
    const patch = await app.http
      .patch(`/api/users/${user.id}`)
      .set('Authorization', admin.bearer)
      .send({ is_active: false });
    expect(patch.status).toBe(200);
    expectError(await get(app, user.bearer), 403);
    expect((await logout(app, leaving)).status).toBe(204);
    expectError(await get(app, leaving.bearer), 401);

    // Redis comes back with the entries cached before the outage; the failed invalidations
    // make the app change the cache's epoch before it trusts the cache again.
    await proxy.restore();
    const client = redis.client();
    try {
      await client.connect();
      await eventually(async () => {
        const epoch = await client.get(`{${app.config.redis.prefix}:cache:v}:epoch`);
        expect(epoch).toMatch(/@\d+$/);
      });
    } finally {
      client.disconnect();
    }
    expectError(await get(app, user.bearer), 403);
    expectError(await get(app, leaving.bearer), 401);
  });
});

describe('an api restarted while Redis is away', () => {
  it('serves neither a login revoked nor a product changed during the outage, once Redis is back', async () => {
    const redis = await PrivateRedis.start();
    const proxy = await TcpProxy.start(redis.port);
    // A database of its own: the outbox row of the lost invalidation is for this deployment's
    // relays (every api on one database shares its Redis), not another test app's.
    const database = `shop_scratch_${randomBytes(4).toString('hex')}`;
    const env = {
      DATABASE_URL: databaseUrl(database),
      MIGRATIONS_RUN: 'true',
      REDIS_URL: `redis://127.0.0.1:${proxy.port}/0`,
      REDIS_PREFIX: `${t.config.redis.prefix}:restarted`,
      SESSION_CACHE_TTL: '60',
    };
    const epochKey = `{${env.REDIS_PREFIX}:cache:v}:epoch`;
    const client = redis.client();
    let before: TestApp | undefined;
    let after: TestApp | undefined;
    try {
      await client.connect();
      before = await startApp(env);
      const [leaving, admin] = await Promise.all([
        signUp(before),
        signUp(before, { role: 'admin' }),
      ]);
      const product = await createProduct(before, admin, { price: 5 });
      const detail = `/api/products/${product.id}`;
      expect((await get(before, leaving.bearer)).status).toBe(200);
      await before.http.get(detail);
      expect((await before.http.get(detail)).headers['x-cache']).toBe('HIT');
      const epoch = await client.get(epochKey);

      await proxy.cut();
      expect((await logout(before, leaving)).status).toBe(204);
      const patched = await before.http
        .patch(detail)
        .set('Authorization', admin.bearer)
        .send({ price: 6 });
      expect(patched.status).toBe(200);
      // Stopped before Redis is back: its own retry of the epoch change stops with it.
      await before.close();
      before = undefined;

      await proxy.restore();
      after = await startApp(env);
      const restarted = after;
      await eventually(async () => {
        expect(await client.get(epochKey)).not.toBe(epoch);
      });
      expectError(await get(restarted, leaving.bearer), 401);
      expect((await restarted.http.get(detail)).body.data.price).toBe(6);
    } finally {
      client.disconnect();
      await before?.close();
      await after?.close();
      await proxy.close();
      await redis.kill();
      await dropDatabase(database);
    }
  });
});
