import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import {
  createOrder,
  createProduct,
  signUp,
  stockOf,
  unique,
  type Order,
  type TestUser,
} from '../support/factories.js';
import { bulkUsers } from '../support/bulk-users.js';
import { buy, createSale, ledgerOf, statusCounts } from '../support/flash-sales.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

// Six nodes: three masters, each with a replica.
let cluster: RedisCluster;
let smtp: SmtpSink;
let t: TestApp;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  [cluster, smtp] = await Promise.all([RedisCluster.start(), SmtpSink.start()]);
  t = await startApp({
    REDIS_CLUSTER_NODES: cluster.nodeList,
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    ORDER_PAYMENT_TIMEOUT: '2',
    // Far away: a cancelled order below was cancelled by its own delayed job.
    ORDER_SWEEP_INTERVAL: '3600',
    JOB_BACKOFF_MS: '200',
  });
  [admin, user] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await Promise.all([cluster.stop(), smtp.stop()]);
});

const cacheOf = (res: { headers: Record<string, string> }) => res.headers['x-cache'];
const orderOf = async (id: number): Promise<Order> =>
  (await t.http.get(`/api/orders/${id}`).set('Authorization', user.bearer)).body.data;

describe('on a Redis Cluster', () => {
  it('is ready: readiness pings the cluster', async () => {
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });

  it('places and pays an order, and mails its confirmation and receipt through the outbox and the email queue', async () => {
    const product = await createProduct(t, admin, { stock: 5 });
    const order = await createOrder(t, user, [{ product_id: product.id, quantity: 2 }]);
    expect((await stockOf(t, product.id)).stock).toBe(3);
    await smtp.waitFor(user.email, new RegExp(`Order ${order.id} received`));
    const paid = await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', user.bearer);
    expect(paid.status).toBe(200);
    await smtp.waitFor(user.email, new RegExp(`Receipt for order ${order.id}`));
  });

  it('cancels an unpaid order at its deadline through its delayed job', async () => {
    const product = await createProduct(t, admin, { stock: 4 });
    const order = await createOrder(t, user, [{ product_id: product.id, quantity: 4 }]);
    const cancelled = await eventually(async () => {
      const now = await orderOf(order.id);
      expect(now.status).toBe('cancelled');
      return now;
    });
    expect(cancelled.cancel_reason).toBe('payment_timeout');
    expect((await stockOf(t, product.id)).stock).toBe(4);
    const job = await t.app
      .get<Queue>(getQueueToken(QUEUES.orders))
      .getJob(`order-timeout-${order.id}`);
    expect(await job?.getState()).toBe('completed');
    await smtp.waitFor(user.email, new RegExp(`Order ${order.id} cancelled`));
  });

  it('answers repeated reads from the cache and shows a write on the very next read', async () => {
    const category = unique('cat');
    const product = await createProduct(t, admin, { category, price: 10 });
    const detail = `/api/products/${product.id}`;
    const list = `/api/products?category=${category}`;
    expect([cacheOf(await t.http.get(detail)), cacheOf(await t.http.get(detail))]).toEqual([
      'MISS',
      'HIT',
    ]);
    expect([cacheOf(await t.http.get(list)), cacheOf(await t.http.get(list))]).toEqual([
      'MISS',
      'HIT',
    ]);
    const patched = await t.http
      .patch(detail)
      .set('Authorization', admin.bearer)
      .send({ price: 12.5 });
    expect(patched.status).toBe(200);
    const after = await t.http.get(detail);
    expect([cacheOf(after), after.body.data.price]).toEqual(['MISS', 12.5]);
    const listed = await t.http.get(list);
    expect([cacheOf(listed), listed.body.data.items[0].price]).toEqual(['MISS', 12.5]);
    // Never bypassed: every lookup reached the cluster.
    expect((await t.http.get('/metrics')).text).not.toMatch(
      /cache_requests_total\{result="bypass"\} [1-9]/,
    );
  });

  it('queues a report and answers its result', async () => {
    const queued = await t.http
      .post('/api/reports/sales')
      .set('Authorization', admin.bearer)
      .send({ start_date: '2020-01-01', end_date: '2020-01-02' });
    expect(queued.status).toBe(202);
    await eventually(async () => {
      const res = await t.http
        .get(`/api/reports/sales/${queued.body.data.job_id}`)
        .set('Authorization', admin.bearer);
      expect(res.body.data).toMatchObject({ status: 'completed', result: { total_orders: 0 } });
    });
  });

  it('holds one rate limit for two api instances', async () => {
    const limited = {
      REDIS_CLUSTER_NODES: cluster.nodeList,
      TRUST_PROXY: 'true',
      RATE_LIMIT_REQUESTS: '5',
    };
    const prefix = `test:${randomBytes(4).toString('hex')}:shared`;
    const [a, b] = await Promise.all([
      startApp({ ...limited, REDIS_PREFIX: prefix }),
      startApp({ ...limited, REDIS_PREFIX: prefix }),
    ]);
    try {
      const client = `10.9.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
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

  it("runs the flash sale gate's script on the cluster, with the sale's keys in one slot", async () => {
    const buyers = await bulkUsers(t.db, TEST_JWT_SECRET, 6);
    const sale = await createSale(t, admin, { quantity: 3 });
    const results = await Promise.all(buyers.map((buyer) => buy(t, buyer, sale.id)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 3, 409: 3 });
    expect((await ledgerOf(t, sale.id)).units).toBe(3);
    const tag = `{${t.config.redis.prefix}:fs:${sale.id}}`;
    const node = cluster.nodeClient((await cluster.masters())[0]!);
    try {
      const slots = await Promise.all(
        ['init', 'sale', 'users', 'holds', 'lock'].map((name) =>
          node.cluster('KEYSLOT', `${tag}:${name}`),
        ),
      );
      expect(new Set(slots).size).toBe(1);
    } finally {
      node.disconnect();
    }
  });

  it("keeps every key under the app's prefix, with each queue's and the cache versions' keys in one slot", async () => {
    const prefix = t.config.redis.prefix;
    const keys: string[] = [];
    for (const port of await cluster.masters()) {
      const node = cluster.nodeClient(port);
      try {
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'COUNT', 1000);
          keys.push(...batch);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        node.disconnect();
      }
    }
    const mine = keys.filter((key) => key.includes(prefix));
    expect(mine.length).toBeGreaterThan(20);
    expect(
      mine.filter((key) => !key.startsWith(`${prefix}:`) && !key.startsWith(`{${prefix}:`)),
    ).toEqual([]);
    const slotsOf = async (group: string): Promise<Set<number>> => {
      const members = mine.filter((key) => key.startsWith(group));
      expect(members.length).toBeGreaterThan(1);
      const node = cluster.nodeClient((await cluster.masters())[0]!);
      try {
        return new Set(
          await Promise.all(members.map(async (key) => await node.cluster('KEYSLOT', key))),
        );
      } finally {
        node.disconnect();
      }
    };
    expect((await slotsOf(`{${prefix}:bull}:`)).size).toBe(1);
    expect((await slotsOf(`{${prefix}:cache:v}:`)).size).toBe(1);
    // Cached answers are single keys, spread over the cluster.
    expect(mine.some((key) => key.startsWith(`${prefix}:cache:e:`))).toBe(true);
  });
});
