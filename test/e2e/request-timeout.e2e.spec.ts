import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, expectError, signUp, type TestUser } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await startApp({ REQUEST_TIMEOUT_MS: '1000' });
  admin = await signUp(t, { role: 'admin' });
  customer = await signUp(t);
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backends of the run's database that are waiting on a lock the given backend holds. */
const blockedBy = async (pid: number): Promise<number[]> =>
  (
    await t.db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
      [pid],
    )
  ).rows.map((row) => row.pid);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('REQUEST_TIMEOUT_MS', () => {
  it('answers a request stuck in the database 503 in the error format, and cancels its statement', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    // Another session holds the product's row lock, so placing an order waits in PostgreSQL.
    const locker = await t.db.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [product.id]);
      const { rows } = await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const lockerPid = rows[0]!.pid;

      const started = Date.now();
      const order = t.http
        .post('/api/orders')
        .set('Authorization', customer.bearer)
        .send({ items: [{ product_id: product.id, quantity: 1 }] })
        .then((res) => res);
      const [waiting] = await until(async () => {
        const pids = await blockedBy(lockerPid);
        return pids.length > 0 ? pids : undefined;
      }, 5000);

      const res = await order;
      const elapsed = Date.now() - started;
      const body = expectError(res, 503);
      expect(body.message).toMatch(/took too long/);
      expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{3}ms$/);
      // Answered at the deadline, not when PostgreSQL's statement_timeout (10 s) would have.
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(5000);

      // The statement stopped although the lock is still held: nothing waits on it any more.
      await until(async () => ((await blockedBy(lockerPid)).length === 0 ? true : undefined), 2000);
      const still = await t.db.query<{ state: string; wait_event_type: string | null }>(
        'SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = $1',
        [waiting],
      );
      for (const row of still.rows) expect(row.wait_event_type).not.toBe('Lock');
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    // Nothing of the order happened.
    const orders = await t.http.get('/api/orders').set('Authorization', customer.bearer);
    expect((orders.body as { data: { total: number } }).data.total).toBe(0);
    const detail = await t.http.get(`/api/products/${product.id}`);
    expect((detail.body as { data: { stock: number } }).data.stock).toBe(10);
  });

  it('answers quick requests as before', async () => {
    const res = await t.http.get('/api/users/me').set('Authorization', customer.bearer);
    expect(res.status).toBe(200);
  });

  it('starts counting once the request has arrived: a body uploaded slowly is not cut short', async () => {
    const url = new URL(t.url);
    const body = JSON.stringify({ username: 'nobody-here', password: 'wrong-password-1' });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => req.end(body.slice(5)), 1500);
    });
    expect(status).toBe(401);
  });
});
