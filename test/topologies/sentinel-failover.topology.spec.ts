import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { createProduct, placeOrder, signUp, type TestUser } from '../support/factories.js';
import { SentinelGroup } from '../support/redis-sentinel.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let group: SentinelGroup;
let smtp: SmtpSink;
let t: TestApp;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  [group, smtp] = await Promise.all([SentinelGroup.start(), SmtpSink.start()]);
  t = await startApp({
    REDIS_URL: group.url,
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    TRUST_PROXY: 'true',
    // Above what the set-up sends from 127.0.0.1; the load comes from addresses of its own.
    RATE_LIMIT_REQUESTS: '10',
    JOB_BACKOFF_MS: '200',
  });
  [admin, user] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(async () => {
  await t.close();
  await Promise.all([group.stop(), smtp.stop()]);
});

/** A client address of its own, so the load never meets the rate limit. */
const someone = (): string => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;
const cacheOf = (res: { headers: Record<string, string> }) => res.headers['x-cache'];

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a Sentinel failover', () => {
  it('is survived: orders and reads go on while the master is killed, no queued job is lost, and cache and rate limits come back by themselves', async () => {
    const products = await Promise.all(
      [1, 2, 3].map(() => createProduct(t, admin, { stock: 10_000 })),
    );
    const acknowledged: number[] = [];
    const unexpected: string[] = [];
    const cacheDuringOutage = new Set<string>();
    let outage = false;
    let slowest = 0;
    let running = true;
    const timed = async <T>(request: PromiseLike<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await request;
      } finally {
        slowest = Math.max(slowest, Date.now() - started);
      }
    };
    const orders = async (): Promise<void> => {
      for (let i = 0; running; i++) {
        const product = products[i % products.length]!;
        const res = await timed(
          placeOrder(t, user, [{ product_id: product.id, quantity: 1 }]).set(
            'X-Forwarded-For',
            someone(),
          ),
        );
        if (res.status === 201) acknowledged.push(res.body.data.id as number);
        else unexpected.push(`order: ${res.status}`);
      }
    };
    const reads = async (): Promise<void> => {
      for (let i = 0; running; i++) {
        const product = products[i % products.length]!;
        const res = await timed(
          t.http.get(`/api/products/${product.id}`).set('X-Forwarded-For', someone()),
        );
        if (res.status !== 200) unexpected.push(`read: ${res.status}`);
        if (outage) cacheDuringOutage.add(cacheOf(res) ?? 'none');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const load = [orders(), reads()];

    await until(() => acknowledged.length >= 10, 'orders before the failover');
    const old = await group.killMaster();
    outage = true;
    const atKill = acknowledged.length;
    await group.waitForFailover(old);
    outage = false;
    const duringOutage = acknowledged.length - atKill;
    await until(() => acknowledged.length >= atKill + 20, 'orders after the failover');
    running = false;
    await Promise.all(load);

    // Requests kept working throughout: nothing failed, nothing hung on the dead master.
    expect(unexpected).toEqual([]);
    expect(slowest).toBeLessThan(3000);
    expect(duringOutage).toBeGreaterThan(0);
    expect(cacheDuringOutage).toContain('BYPASS');

    const { rows } = await t.db.query<{ id: string }>('SELECT id FROM orders WHERE id = ANY($1)', [
      acknowledged,
    ]);
    expect(rows).toHaveLength(acknowledged.length);

    // Every order's confirmation mail arrives once, and its deadline job is on the new master.
    await eventually(() => {
      const subjects = smtp.to(user.email).map((mail) => mail.subject);
      const missing = acknowledged.filter((id) => !subjects.includes(`Order ${id} received`));
      expect(missing).toEqual([]);
    }, 45_000);
    for (const id of acknowledged) {
      expect(
        smtp.to(user.email).filter((mail) => mail.subject === `Order ${id} received`),
      ).toHaveLength(1);
    }
    const queue = t.app.get<Queue>(getQueueToken(QUEUES.orders));
    const deadlines = await Promise.all(
      acknowledged.map((id) => queue.getJob(`order-timeout-${id}`)),
    );
    expect(deadlines.filter((job) => job === undefined)).toEqual([]);
    const unpublished = await t.db.query(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(unpublished.rows[0].n).toBe(0);

    // The cache serves hits again and a write shows on the very next read.
    const [product] = products;
    const detail = `/api/products/${product!.id}`;
    const read = () => t.http.get(detail).set('X-Forwarded-For', someone());
    await eventually(async () => {
      await read();
      expect(cacheOf(await read())).toBe('HIT');
    });
    const patched = await t.http
      .patch(detail)
      .set('X-Forwarded-For', someone())
      .set('Authorization', admin.bearer)
      .send({ price: 77.7 });
    expect(patched.status).toBe(200);
    expect((await read()).body.data.price).toBe(77.7);

    // The rate limit counts on the new master.
    const client = someone();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await t.http.get('/api/products/hot').set('X-Forwarded-For', client)).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
