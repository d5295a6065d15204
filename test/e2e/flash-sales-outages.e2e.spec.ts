import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkUsers } from '../support/bulk-users.js';
import { REDIS_URL } from '../support/env.js';
import { expectError, type TestUser } from '../support/factories.js';
import { buy, createSale, ledgerOf, saleOf, statusCounts, until } from '../support/flash-sales.js';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startIsolatedApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

describe('a flash sale on a Redis of its own', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let admin: TestUser;
  let users: TestUser[];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // The contract's per-customer limit, over a window no burst of this file outlasts.
    // A database of its own: sales other files' route sweeps (ids 1, 2...) would touch are not ours.
    t = await startIsolatedApp({
      REDIS_URL: redis.url,
      FLASH_SALE_RATE_LIMIT: '5',
      FLASH_SALE_RATE_WINDOW: '60',
    });
    users = await bulkUsers(t.db, TEST_JWT_SECRET, 45);
    admin = users.pop()!;
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
  });
  afterAll(async () => {
    await t.close();
    await redis.kill();
  });

  it('limits each customer to FLASH_SALE_RATE_LIMIT attempts per window, apart from others', async () => {
    const sale = await createSale(t, admin, { quantity: 100, per_user_limit: 100 });
    const [hasty, calm] = users.slice(40) as [TestUser, TestUser];
    const results = await Promise.all(Array.from({ length: 8 }, () => buy(t, hasty, sale.id)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 5, 429: 3 });
    const limited = results.find((r) => r.status === 429)!;
    expectError(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(results.find((r) => r.status === 201)?.headers['x-ratelimit-limit-user']).toBe('5');
    expect((await buy(t, calm, sale.id)).status).toBe(201);
  });

  it('counts refusals too: a sold-out sale answers 409 until the limit, then 429', async () => {
    const sale = await createSale(t, admin, { quantity: 1 });
    const [winner, loser] = users.slice(42) as [TestUser, TestUser];
    expect((await buy(t, winner, sale.id)).status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await buy(t, loser, sale.id)).status);
    expect(statuses).toEqual([409, 409, 409, 409, 409, 429, 429]);
    const res = await buy(t, loser, sale.id);
    expectError(res, 429);
    expect(res.headers['x-ratelimit-remaining-user']).toBe('0');
  });

  it('never oversells across a Redis crash: 503 while it is down, the gate rebuilt from PostgreSQL after', async () => {
    const sale = await createSale(t, admin, { quantity: 30, per_user_limit: 1 });
    const first = await Promise.all(users.slice(0, 10).map((user) => buy(t, user, sale.id)));
    expect(statusCounts(first.map((r) => r.status))).toEqual({ 201: 10 });

    await redis.kill();
    const down = await Promise.all(users.slice(10, 15).map((user) => buy(t, user, sale.id)));
    for (const res of down) expectError(res, 503);
    // Reads come from PostgreSQL meanwhile, and a sale order can still be cancelled.
    expect((await saleOf(t, sale.id)).remaining).toBe(20);
    const cancelled = (first[0]!.body as { data: { id: number } }).data.id;
    const cancel = await t.http
      .put(`/api/orders/${cancelled}/cancel`)
      .set('Authorization', users[0]!.bearer);
    expect(cancel.status).toBe(200);

    await redis.restart(); // empty: the sale's counters are gone
    await until(async () => {
      expect((await t.http.get('/health/ready')).status).toBe(200);
    }, 15_000);
    const after = await Promise.all(users.slice(0, 40).map((user) => buy(t, user, sale.id)));
    // 21 units left (20 unsold, 1 cancelled); the 9 who still hold a unit are at their limit.
    expect(statusCounts(after.map((r) => r.status))).toEqual({ 201: 21, 409: 19 });
    for (const [i, res] of after.entries()) {
      if (i >= 1 && i < 10) expect(res.status).toBe(409);
    }
    const ledger = await ledgerOf(t, sale.id);
    expect(ledger.units).toBe(30);
    expect(ledger.sale?.remaining).toBe(0);
    expect(Math.max(...ledger.byUser.map((row) => row.units))).toBe(1);
    expect((await saleOf(t, sale.id)).remaining).toBe(0);
  });
});

describe('two api processes sharing one sale', () => {
  const apis: Spawned[] = [];
  let t: TestApp;
  let urls: string[] = [];

  // Booting the processes is the slow part: in the hook, with the hook's longer timeout. They
  // share the database and Redis prefix of an in-process app, which arranges and checks.
  beforeAll(async () => {
    t = await startIsolatedApp();
    const env = {
      DATABASE_URL: t.config.database.url,
      REDIS_URL,
      REDIS_PREFIX: t.config.redis.prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      MIGRATIONS_RUN: 'false',
      RUN_WORKERS: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_REQUESTS: '1000000',
      FLASH_SALE_RATE_LIMIT: '1000000',
      ORDER_MAX_PENDING_PER_USER: '0',
    };
    const ports = [await freePort(), await freePort()];
    for (const port of ports) apis.push(spawnNode('dist/main.js', { ...env, PORT: String(port) }));
    urls = ports.map((port) => `http://127.0.0.1:${port}`);
    await Promise.all(urls.map((url) => waitForStatus(`${url}/health/ready`, 200, 50_000)));
  });
  afterAll(async () => {
    for (const api of apis) api.child.kill('SIGTERM');
    await Promise.all(apis.map((api) => api.exited));
    await t.close();
  });

  it('sell exactly the quantity between them, never one more', async () => {
    const buyers = await bulkUsers(t.db, TEST_JWT_SECRET, 201);
    const admin = buyers.pop()!;
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const sale = await createSale(t, admin, { quantity: 40, per_user_limit: 2 });
    const attempt = async (i: number): Promise<number> => {
      const res = await fetch(`${urls[i % 2]}/api/flash-sales/${sale.id}/orders`, {
        method: 'POST',
        headers: { Authorization: buyers[i]!.bearer, 'Content-Type': 'application/json' },
        body: JSON.stringify({ quantity: 1 + (i % 2) }),
      });
      return res.status;
    };
    const statuses = await Promise.all(buyers.map((_, i) => attempt(i)));
    // On a loaded machine a gate call may time out (503, its reservation released): those
    // buyers try again, as a client would.
    for (let round = 0; round < 3 && statuses.includes(503); round++) {
      const again = statuses.flatMap((status, i) => (status === 503 ? [i] : []));
      const retried = await Promise.all(again.map((i) => attempt(i)));
      again.forEach((i, n) => (statuses[i] = retried[n]!));
    }
    const ledger = await ledgerOf(t, sale.id);
    expect(ledger.units).toBe(40);
    expect(ledger.sale?.remaining).toBe(0);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(Math.max(...ledger.byUser.map((row) => row.units))).toBeLessThanOrEqual(2);
  });
});
