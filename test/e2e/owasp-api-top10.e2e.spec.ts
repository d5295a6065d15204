import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.js';
import {
  createOrder,
  createProduct,
  expectError,
  register,
  signUp,
  unique,
  type TestUser,
} from '../support/factories.js';
import { forge } from '../support/tokens.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/test-app.js';

/**
 * The OWASP API Security Top 10 (2023) items that apply to this service, one named test each.
 * API7 (SSRF) and API10 (unsafe consumption of APIs) do not apply: the service fetches no URL a
 * client gives and consumes no third-party API (see README, Reliability).
 */

let t: TestApp;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await startApp({ RATE_LIMIT_REQUESTS: '1000000' });
  [admin, alice, bob] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t), signUp(t)]);
});
afterAll(async () => {
  await t.close();
});

describe('OWASP API Security Top 10 (2023)', () => {
  it("API1:2023 Broken Object Level Authorization: a customer reaches no other customer's order by id", async () => {
    const product = await createProduct(t, admin, { stock: 100 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    const asBob = bob.bearer;
    // Every route that takes an order id answers 404 as if the order did not exist.
    expectError(await t.http.get(`/api/orders/${order.id}`).set('Authorization', asBob), 404);
    expectError(await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', asBob), 404);
    expectError(
      await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', asBob),
      404,
    );
    // Listing another user's orders is for admins only.
    expectError(
      await t.http.get(`/api/orders?user_id=${alice.id}`).set('Authorization', asBob),
      403,
    );
    const bobsList = await t.http.get('/api/orders').set('Authorization', asBob);
    expect((bobsList.body.data.items as { id: number }[]).map((o) => o.id)).not.toContain(order.id);
    // The owner and an admin still can.
    expect(
      (await t.http.get(`/api/orders/${order.id}`).set('Authorization', alice.bearer)).status,
    ).toBe(200);
    expect(
      (await t.http.get(`/api/orders/${order.id}`).set('Authorization', admin.bearer)).status,
    ).toBe(200);
  });

  it('API2:2023 Broken Authentication: forged, expired, unsigned, mistyped and revoked tokens are refused', async () => {
    const user = await signUp(t);
    const forged = forge(user.tokens.access_token);
    for (const token of [
      forged.algNone,
      forged.wrongKey,
      forged.expired,
      forged.hs512,
      forged.tampered,
      forged.withType('refresh'),
      user.tokens.refresh_token,
      'null',
      '',
    ]) {
      expectError(await t.http.get('/api/users/me').set('Authorization', `Bearer ${token}`), 401);
    }
    // Unknown user and wrong password read the same.
    const wrongPassword = await t.http
      .post('/api/auth/login')
      .send({ username: user.username, password: 'not-the-password' });
    const unknownUser = await t.http
      .post('/api/auth/login')
      .send({ username: `nobody${Date.now()}`, password: 'not-the-password' });
    expect(expectError(wrongPassword, 401).message).toBe(expectError(unknownUser, 401).message);
    // After logout the access token of that login is dead at once.
    await t.http
      .post('/api/auth/logout')
      .set('Authorization', user.bearer)
      .send({ refresh_token: user.tokens.refresh_token });
    expectError(await t.http.get('/api/users/me').set('Authorization', user.bearer), 401);
  });

  it('API2:2023 Broken Authentication: rotating addresses does not help guess a password, common passwords are refused, and no mailed link can be lifted from the outbox', async () => {
    const locking = await startApp({ TRUST_PROXY: 'true', AUTH_MAX_FAILURES: '3' });
    try {
      const victim = await register(locking);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await locking.http
          .post('/api/auth/login')
          .set('X-Forwarded-For', `10.20.${i}.${i + 1}`)
          .send({
            username: victim.username,
            password: i < 3 ? `guess-number-${i}` : victim.password,
          });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await locking.close();
    }

    const username = unique();
    const common = await t.http
      .post('/api/auth/register')
      .send({ email: `${username}@example.com`, username, password: '12345678' });
    expect(expectError(common, 400).errors).toHaveProperty('password');

    // The welcome mail waits in the outbox: nothing in it verifies the address.
    const user = await register(t);
    const { rows } = await t.db.query(
      `SELECT payload FROM outbox WHERE payload->'job'->>'key' = $1`,
      [`welcome-${user.id}`],
    );
    const strings = JSON.stringify(rows[0].payload).match(/[A-Za-z0-9_-]+/g) ?? [];
    expect(strings.length).toBeGreaterThan(3);
    for (const token of new Set(strings)) {
      expect((await t.http.post('/api/auth/verify-email').send({ token })).status, token).toBe(400);
    }
  });

  it('API3:2023 Broken Object Property Level Authorization: no mass assignment, no secrets in responses', async () => {
    const user = await signUp(t);
    // Privileged fields in a registration or profile change are refused, not applied.
    const register = await t.http.post('/api/auth/register').send({
      username: `mass${Date.now()}`,
      email: `mass${Date.now()}@example.com`,
      password: 'long-enough-password',
      role: 'admin',
    });
    expect(register.status).toBe(400);
    const profile = await t.http
      .put('/api/users/me')
      .set('Authorization', user.bearer)
      .send({ role: 'admin', is_active: true });
    expect(profile.status).toBe(400);
    const me = await t.http.get('/api/users/me').set('Authorization', user.bearer);
    expect(me.body.data.role).toBe('customer');
    // An order's price, status and owner come from the server, never from the body.
    const product = await createProduct(t, admin, { price: 10, stock: 10 });
    const order = await t.http
      .post('/api/orders')
      .set('Authorization', user.bearer)
      .send({
        items: [{ product_id: product.id, quantity: 1, unit_price: 0.01 }],
        status: 'paid',
        user_id: admin.id,
        total_amount: 0.01,
      });
    expect(order.status).toBe(400);
    // No response carries a password hash, a refresh-token hash or a session secret.
    for (const res of [me, await t.http.get('/api/users').set('Authorization', admin.bearer)]) {
      expect(JSON.stringify(res.body)).not.toMatch(
        /password|\$argon2|token_hash|refresh_token_hash/,
      );
    }
  });

  it('API3:2023 Broken Object Property Level Authorization: prototype keys are unknown fields, not a way past the whitelist', async () => {
    for (const key of ['__proto__', 'constructor']) {
      const res = await t.http
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send(
          `{"username":"proto${Date.now()}","email":"proto${Date.now()}@example.com","password":"long-enough-password","${key}":{"role":"admin"}}`,
        );
      expect(expectError(res, 400).errors).toEqual({ [key]: `${key} is not an accepted field` });
    }
  });

  it('API4:2023 Unrestricted Resource Consumption: body size, page size, batch size and rate are bounded', async () => {
    expectError(
      await t.http
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send(`{"username":"${'x'.repeat(2_000_000)}"}`),
      413,
    );
    const pageTooLarge = await t.http.get('/api/products?page_size=100000');
    expect(pageTooLarge.status).toBe(400);
    const batch = await t.http
      .post('/api/products/batch')
      .send({ ids: Array.from({ length: 10_000 }, (_, i) => i + 1) });
    expect(batch.status).toBe(400);
    const limited = await startApp({ TRUST_PROXY: 'true', RATE_LIMIT_REQUESTS: '2' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push(
          (await limited.http.get('/api/products').set('X-Forwarded-For', '10.9.9.9')).status,
        );
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('API4:2023 Unrestricted Resource Consumption: password checks on PUT /api/users/me take the strict limit, and dashboard guessing is locked out', async () => {
    const limited = await startApp({
      TRUST_PROXY: 'true',
      AUTH_RATE_LIMIT_REQUESTS: '2',
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'queue-dashboard-password',
      BULL_BOARD_MAX_FAILURES: '2',
    });
    try {
      const user = await signUp(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await limited.http
          .put('/api/users/me')
          .set('Authorization', user.bearer)
          .set('X-Forwarded-For', '10.30.0.1')
          .send({ password: 'another-new-password', current_password: `guess-number-${i}` });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([400, 400, 429]);

      const dashboard: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await limited.http
          .get('/admin/queues/api/queues')
          .set('X-Forwarded-For', '10.30.0.2')
          .auth('ops', `guess-number-${i}`);
        dashboard.push(res.status);
        if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(dashboard).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('API4:2023 Unrestricted Resource Consumption: many-key objects and long arrays are refused before they cost, and junk ids write nothing to Redis', async () => {
    const manyKeys = `{${Array.from({ length: 100_000 }, (_, i) => `"k${i.toString(36)}":1`).join(',')}}`;
    const login = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(manyKeys);
    expect(expectError(login, 400).message).toBe('JSON body has more than 1000 object keys');
    const batch = await t.http
      .post('/api/products/batch')
      .set('Content-Type', 'application/json')
      .send(`{"ids":[${new Array(500_000).fill(1).join(',')}]}`);
    expect(expectError(batch, 400).message).toBe('JSON body has more than 1000 array elements');

    const redis = new Redis(REDIS_URL);
    // The app's cache keys: its queues' keys move with the outbox relay, which this shared
    // database feeds from other files too.
    const cacheKeys = async (): Promise<number> => {
      let count = 0;
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(
          cursor,
          'MATCH',
          `*${t.config.redis.prefix}:cache*`,
          'COUNT',
          1000,
        );
        cursor = next;
        count += batch.length;
      } while (cursor !== '0');
      return count;
    };
    try {
      await t.http.get('/api/products?page_size=1');
      const before = await cacheKeys();
      for (const junk of ['x'.repeat(15_000), 'abc', '0', '1e3', '%00', '-1']) {
        expectError(await t.http.get(`/api/products/${junk}`), 400);
      }
      expect(await cacheKeys()).toBe(before);
    } finally {
      redis.disconnect();
    }
  });

  it('API5:2023 Broken Function Level Authorization: every admin route refuses a customer with 403', async () => {
    const product = await createProduct(t, admin, { stock: 5 });
    const order = await createOrder(t, alice, [{ product_id: product.id, quantity: 1 }]);
    const adminRoutes: [string, string][] = [
      ['post', '/api/products'],
      ['put', `/api/products/${product.id}`],
      ['patch', `/api/products/${product.id}`],
      ['delete', `/api/products/${product.id}`],
      ['get', '/api/products/stats'],
      ['put', `/api/orders/${order.id}/ship`],
      ['put', `/api/orders/${order.id}/complete`],
      ['get', '/api/users'],
      ['patch', `/api/users/${alice.id}`],
      ['post', '/api/reports/sales'],
      ['get', '/api/reports/sales/1'],
    ];
    for (const [method, path] of adminRoutes) {
      const agent = t.http[method as 'get'](path).set('Authorization', alice.bearer);
      expectError(await agent.send({}), 403);
      expectError(await t.http[method as 'get'](path).send({}), 401);
    }
    expect((await t.http.get(`/api/products/${product.id}`)).body.data.is_active).toBe(true);
  });

  it('API6:2023 Unrestricted Access to Sensitive Business Flows: retries cannot double an order and stock cannot be oversold', async () => {
    const isolated = await startIsolatedApp();
    try {
      const [owner, buyer] = await Promise.all([
        signUp(isolated, { role: 'admin' }),
        signUp(isolated),
      ]);
      const product = await createProduct(isolated, owner, { stock: 3 });
      const body = { items: [{ product_id: product.id, quantity: 1 }] };
      const key = `retry-${Date.now()}`;
      const retries = await Promise.all(
        Array.from({ length: 5 }, () =>
          isolated.http
            .post('/api/orders')
            .set('Authorization', buyer.bearer)
            .set('Idempotency-Key', key)
            .send(body),
        ),
      );
      const ids = new Set(
        retries.filter((r) => r.status === 201).map((r) => r.body.data.id as number),
      );
      expect(ids.size).toBe(1);
      const rush = await Promise.all(
        Array.from({ length: 10 }, () =>
          isolated.http.post('/api/orders').set('Authorization', buyer.bearer).send(body),
        ),
      );
      expect(rush.filter((r) => r.status === 201)).toHaveLength(2);
      expect((await isolated.http.get(`/api/products/${product.id}`)).body.data.stock).toBe(0);
    } finally {
      await isolated.close();
    }
  });

  it('API8:2023 Security Misconfiguration: security headers, no stack traces, no framework banner, CORS closed by default', async () => {
    const res = await t.http
      .get('/api/orders/not-a-number')
      .set('Authorization', alice.bearer)
      .set('Origin', 'https://evil.example');
    expectError(res, 400);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const unknown = await t.http.get('/api/nothing-here');
    expectError(unknown, 404);
  });

  it('API8:2023 Security Misconfiguration: a NUL character is a 400 naming the field, never a 500 from the database', async () => {
    expect(expectError(await t.http.get('/api/products?search=%00'), 400).errors).toEqual({
      search: 'search must not contain a NUL character',
    });
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: 'admin\u0000', password: 'not-the-password' });
    expect(expectError(login, 400).errors).toEqual({
      username: 'username must not contain a NUL character',
    });
  });

  it('API9:2023 Improper Inventory Management: the Swagger document lists exactly the routes the app serves', async () => {
    const doc = (await t.http.get('/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented.length).toBeGreaterThan(25);
    // The contract's operational routes are part of the inventory too.
    expect(documented).toEqual(
      expect.arrayContaining(['GET /metrics', 'GET /health/live', 'GET /health/ready']),
    );
    // A route the document does not list is not served.
    const unserved: [string, string][] = [
      ['GET', '/api/v2/orders'],
      ['GET', '/api/admin'],
      ['DELETE', '/api/orders/1'],
    ];
    for (const [method, path] of unserved) {
      expect(documented).not.toContain(`${method} ${path.replace(/\/1$/, '/{id}')}`);
      expectError(
        await t.http[method.toLowerCase() as 'get'](path).set('Authorization', admin.bearer),
        404,
      );
    }
    // Every documented route answers something other than 404 for a well-formed request.
    for (const entry of documented) {
      const [method = '', path = ''] = entry.split(' ');
      const res = await t.http[method.toLowerCase() as 'get'](path.replace(/\{[^}]+\}/g, '1')).set(
        'Authorization',
        admin.bearer,
      );
      expect(
        res.status === 404 &&
          /Cannot|not found/i.test(String(res.body.message)) &&
          !/Order|Product|User|Report|Flash sale/.test(String(res.body.message)),
        entry,
      ).toBe(false);
    }
  });
});
