import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/infra/redis/redis.factory.js';
import { REDIS } from '../../src/infra/redis/redis.tokens.js';
import { createOrder, signUp, unique, type TestUser } from '../support/factories.js';
import { buy, createSale } from '../support/flash-sales.js';
import { PostgresPair } from '../support/postgres-replica.js';
import { promtoolProblems } from '../support/promtool.js';
import { eventually } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

/**
 * CONTRACT §9: reads that may be a moment behind go to a read replica; a replica that lags or
 * dies is skipped without an error; a customer reads their own writes; and (§5) the product
 * cache never keeps what a lagging replica served after a write. Against a private primary
 * and a streaming replica of it, started here; the replica is made visibly behind by pausing
 * its replay (pg_wal_replay_pause), so "the replica answered" shows as "the answer is old".
 */

const MAX_LAG = 3;
const DATABASE = 'shop';

let pair: PostgresPair;
let t: TestApp;
let admin: TestUser;
/** An admin who writes nothing through the orders routes: no read-your-writes for them. */
let reader: TestUser;

beforeAll(async () => {
  pair = await PostgresPair.start();
  t = await startApp({
    DATABASE_URL: pair.primaryUrl(DATABASE),
    MIGRATIONS_RUN: 'true',
    DATABASE_REPLICA_URLS: pair.replicaUrl(DATABASE),
    DATABASE_REPLICA_MAX_LAG: String(MAX_LAG),
  });
  [admin, reader] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t, { role: 'admin' })]);
  await replicaInUse(1);
}, 120_000);
afterAll(async () => {
  // Whatever failed in beforeAll, the servers it started are stopped.
  try {
    await (t as TestApp | undefined)?.close();
  } finally {
    await (pair as PostgresPair | undefined)?.stop();
  }
});

const metric = async (name: string): Promise<number | undefined> => {
  const text = (await t.http.get('/metrics')).text;
  const series = `${name}{replica="${pair.replicaName}"} `;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined
    ? undefined
    : Number(line.slice(series.length).replace('+Inf', 'Infinity'));
};

/** Until the service says the replica serves reads (1) or does not (0). */
const replicaInUse = (expected: 0 | 1): Promise<void> =>
  eventually(async () => {
    expect(await metric('db_replica_in_use')).toBe(expected);
  }, 30_000);

/** A product written straight to the primary: no cache invalidation, nothing remembered. */
async function insertProduct(name: string): Promise<number> {
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO products (name, price, stock) VALUES ($1, 10, 100) RETURNING id`,
    [name],
  );
  return rows[0]!.id;
}

/** ... once the replica has it too. */
async function productOnBoth(name: string): Promise<number> {
  const id = await insertProduct(name);
  await pair.waitForReplay();
  return id;
}

const rename = (id: number, name: string) =>
  t.db.query(`UPDATE products SET name = $2 WHERE id = $1`, [id, name]);

const batchNames = async (ids: number[]): Promise<string[]> => {
  const res = await t.http.post('/api/products/batch').send({ ids });
  expect(res.status).toBe(200);
  return res.body.data.map((p: { name: string }) => p.name);
};

/** Runs work with the replica's replay paused: it answers with what it had when paused. */
async function whileReplicaPaused(work: () => Promise<void>): Promise<void> {
  await pair.pauseReplay();
  try {
    await work();
  } finally {
    await pair.resumeReplay();
  }
}

/** The replica answers a batch read: renamed on the primary, the product still has its old name. */
async function expectReplicaServes(id: number): Promise<void> {
  await replicaInUse(1);
  const [before] = await batchNames([id]);
  await whileReplicaPaused(async () => {
    await rename(id, `${before} again`);
    expect(await batchNames([id])).toEqual([before]);
  });
  await pair.waitForReplay();
}

describe('PostgreSQL read replicas', () => {
  it('answer product detail, list, search, batch and stats: with replay paused they show what the replica has, not the primary', async () => {
    const token = unique('zq');
    const id = await productOnBoth(`old ${token}`);
    const statsBefore = await t.http.get('/api/products/stats').set('Authorization', admin.bearer);
    expect(statsBefore.status).toBe(200);
    await whileReplicaPaused(async () => {
      await rename(id, `new ${token}`);
      await insertProduct(`another ${token}`);
      const [detail, list, batch, stats] = await Promise.all([
        t.http.get(`/api/products/${id}`),
        t.http.get(`/api/products?search=${token}`),
        batchNames([id]),
        t.http.get('/api/products/stats').set('Authorization', admin.bearer),
      ]);
      expect([detail.status, detail.headers['x-cache'], detail.body.data.name]).toEqual([
        200,
        'MISS',
        `old ${token}`,
      ]);
      expect(list.body.data.items.map((p: { name: string }) => p.name)).toEqual([`old ${token}`]);
      expect(batch).toEqual([`old ${token}`]);
      expect(stats.body.data.total).toBe(statsBefore.body.data.total);
      const [primary] = await pair.onPrimary<{ name: string }>(
        'SELECT name FROM products WHERE id = $1',
        [id],
        DATABASE,
      );
      expect(primary!.name).toBe(`new ${token}`);
    });
  });

  it('skip a replica more than DATABASE_REPLICA_MAX_LAG behind: reads show the primary, readiness stays 200, and the replica serves again once it catches up', async () => {
    const id = await productOnBoth(unique('lagging '));
    await whileReplicaPaused(async () => {
      await rename(id, 'renamed on the primary');
      expect(await batchNames([id])).not.toEqual(['renamed on the primary']);
      // The replica falls further behind with every second: after MAX_LAG it is skipped.
      await eventually(async () => {
        expect(await batchNames([id])).toEqual(['renamed on the primary']);
      }, 20_000);
      expect(await metric('db_replica_in_use')).toBe(0);
      expect(await metric('db_replica_lag_seconds')).toBeGreaterThan(MAX_LAG);
      expect((await t.http.get('/health/ready')).status).toBe(200);
    });
    await replicaInUse(1);
    expect(await metric('db_replica_lag_seconds')).toBeLessThanOrEqual(MAX_LAG);
    await expectReplicaServes(id);
  });

  it('skip a stopped replica: every read still answers 200 from the primary and readiness stays 200; started again, it serves again', async () => {
    const id = await productOnBoth(unique('outage '));
    await replicaInUse(1);
    const load = { running: true };
    const statuses: number[] = [];
    const reads = (async () => {
      for (let i = 0; load.running; i++) {
        const res = await t.http.post('/api/products/batch').send({ ids: [id] });
        const list = await t.http.get(`/api/products?search=outage&page=${(i % 50) + 1}`);
        statuses.push(res.status, list.status);
      }
    })();
    try {
      await pair.stopReplica();
      await replicaInUse(0);
      for (let i = 0; i < 5; i++) expect(await batchNames([id])).toHaveLength(1);
      expect((await t.http.get('/health/ready')).status).toBe(200);
    } finally {
      load.running = false;
      await reads;
    }
    expect(statuses.length).toBeGreaterThan(4);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await pair.startReplica();
    await replicaInUse(1);
    await expectReplicaServes(id);
  });

  it("let a customer read their own order right after placing or cancelling it, while others' reads come from the lagging replica", async () => {
    const customer = await signUp(t);
    const product = await productOnBoth(unique('ryw '));
    await replicaInUse(1);
    await whileReplicaPaused(async () => {
      const order = await createOrder(t, customer, [{ product_id: product, quantity: 1 }]);
      const own = await t.http.get(`/api/orders/${order.id}`).set('Authorization', customer.bearer);
      expect([own.status, own.body.data?.status]).toEqual([200, 'pending']);
      const list = await t.http.get('/api/orders').set('Authorization', customer.bearer);
      expect(list.body.data.items.map((o: { id: number }) => o.id)).toEqual([order.id]);
      // An admin who wrote nothing reads the replica, which does not have the order yet.
      const byReader = await t.http
        .get(`/api/orders/${order.id}`)
        .set('Authorization', reader.bearer);
      expect(byReader.status).toBe(404);
      const readerList = await t.http
        .get(`/api/orders?user_id=${customer.id}`)
        .set('Authorization', reader.bearer);
      expect(readerList.body.data.items).toEqual([]);

      const cancelled = await t.http
        .put(`/api/orders/${order.id}/cancel`)
        .set('Authorization', customer.bearer);
      expect(cancelled.status).toBe(200);
      const after = await t.http
        .get(`/api/orders/${order.id}`)
        .set('Authorization', customer.bearer);
      expect(after.body.data.status).toBe('cancelled');
    });
  });

  it('let a customer read their own order right after buying it in a flash sale or paying it, too', async () => {
    const buyer = await signUp(t);
    const payer = await signUp(t);
    const sale = await createSale(t, admin);
    const product = await productOnBoth(unique('ryw pay '));
    const order = await createOrder(t, payer, [{ product_id: product, quantity: 1 }]);
    await pair.waitForReplay();
    // As if the placement were long ago: nothing remembers the payer as a writer any more.
    await t.app.get<symbol, RedisClient>(REDIS).del(`${t.config.redis.prefix}:ryw:${payer.id}`);
    await replicaInUse(1);
    await whileReplicaPaused(async () => {
      const bought = await buy(t, buyer, sale.id);
      expect(bought.status).toBe(201);
      const own = await t.http
        .get(`/api/orders/${bought.body.data.id}`)
        .set('Authorization', buyer.bearer);
      expect([own.status, own.body.data?.status]).toEqual([200, 'pending']);

      const paid = await t.http
        .post(`/api/orders/${order.id}/pay`)
        .set('Authorization', payer.bearer);
      expect(paid.status).toBe(200);
      const after = await t.http.get(`/api/orders/${order.id}`).set('Authorization', payer.bearer);
      expect(after.body.data.status).toBe('paid');
    });
  });

  it('read flash sales from the primary: a sale created or ended shows in the list at once', async () => {
    const ending = await createSale(t, admin);
    await pair.waitForReplay();
    await replicaInUse(1);
    await whileReplicaPaused(async () => {
      const created = await createSale(t, admin);
      expect(
        (await t.http.delete(`/api/flash-sales/${ending.id}`).set('Authorization', admin.bearer))
          .status,
      ).toBe(204);
      const listed = await t.http.get('/api/flash-sales').query({ page_size: 100 });
      const ids = listed.body.data.items.map((sale: { id: number }) => sale.id);
      expect(ids).toContain(created.id);
      expect(ids).not.toContain(ending.id);
    });
  });

  it('never let the product cache keep what a lagging replica served after a write: the entry filled right after an invalidation comes from the primary', async () => {
    const token = unique('zc');
    const id = await productOnBoth(`before ${token}`);
    const path = `/api/products/${id}`;
    const first = await t.http.get(path);
    expect([first.status, first.headers['x-cache']], JSON.stringify(first.body)).toEqual([
      200,
      'MISS',
    ]);
    const second = await t.http.get(path);
    expect([second.status, second.body.data?.name], JSON.stringify(second.body)).toEqual([
      200,
      `before ${token}`,
    ]);
    await replicaInUse(1);
    await whileReplicaPaused(async () => {
      const patched = await t.http
        .patch(path)
        .set('Authorization', admin.bearer)
        .send({ name: `after ${token}` });
      expect(patched.status).toBe(200);
      // The replica is in use and does not have the write...
      expect(await batchNames([id])).toEqual([`before ${token}`]);
      // ...but the detail and the list filled now are the primary's, and so is what they keep.
      const miss = await t.http.get(path);
      expect([miss.headers['x-cache'], miss.body.data.name]).toEqual(['MISS', `after ${token}`]);
      const hit = await t.http.get(path);
      expect([hit.headers['x-cache'], hit.body.data.name]).toEqual(['HIT', `after ${token}`]);
      const list = await t.http.get(`/api/products?search=${token}`);
      expect(list.body.data.items.map((p: { name: string }) => p.name)).toEqual([`after ${token}`]);
    });
    await pair.waitForReplay();
    const later = await t.http.get(path);
    expect([later.headers['x-cache'], later.body.data.name]).toEqual(['HIT', `after ${token}`]);
  });

  it('report each replica in /metrics (pool, lag, in use) in a form that passes promtool lint', async () => {
    const text = (await t.http.get('/metrics')).text;
    for (const state of ['total', 'idle', 'waiting']) {
      expect(text).toContain(
        `db_replica_pool_connections{replica="${pair.replicaName}",state="${state}"} `,
      );
    }
    expect(await metric('db_replica_pool_max_connections')).toBe(10);
    expect(await metric('db_replica_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(await metric('db_replica_in_use')).toBe(1);
    expect(promtoolProblems(text)).toEqual([]);
  });

  it("show the replica the service's own connections under an application_name of their own", async () => {
    const rows = await pair.onReplica<{ application_name: string }>(
      `SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = $1`,
      [DATABASE],
    );
    expect(rows.map((row) => row.application_name)).toContain('shop-api:replica');
  });
});
