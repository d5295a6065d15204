import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrder, createProduct, signUp, type TestUser } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startApp({ RUN_WORKERS: 'true' });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const scrape = async (): Promise<string> => (await t.http.get('/metrics')).text;
const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe('/metrics', () => {
  it('counts requests by route template, never by raw path, with unmatched paths under one label', async () => {
    const product = await createProduct(t, admin);
    await t.http.get(`/api/products/${product.id}`);
    await t.http.get('/api/products/987654321');
    await t.http.get(`/no/such/path/${product.id}`);
    await t.http.get('/api/users/me');
    const text = await scrape();
    expect(
      value(text, 'http_requests_total{method="GET",route="/api/products/:id",status="200"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'http_requests_total{method="GET",route="/api/products/:id",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'http_requests_total{method="GET",route="/api/users/me",status="401"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/api\/products\/:id",status="200"\}/m,
    );
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    for (const route of routes) expect(route).not.toMatch(/\d{2,}|no\/such/);
  });

  it('counts a request whose body it could not read under its route', async () => {
    const malformed = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": ');
    expect(malformed.status).toBe(400);
    const tooLarge = await t.http
      .put(`/api/products/1`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1_100_000) }));
    expect(tooLarge.status).toBe(413);
    const nowhere = await t.http
      .post('/no/such/route')
      .set('Content-Type', 'application/json')
      .send('{"a": ');
    // No route: the 404, whatever the body (its refusal is answered by the route's guards).
    expect(nowhere.status).toBe(404);
    const text = await scrape();
    expect(
      value(text, 'http_requests_total{method="POST",route="/api/auth/login",status="400"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'http_requests_total{method="PUT",route="/api/products/:id",status="413"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'http_requests_total{method="POST",route="unmatched",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts orders created and cancelled (by reason), and cache results', async () => {
    const before = await scrape();
    const user = await signUp(t);
    const product = await createProduct(t, admin, { stock: 10 });
    const kept = await createOrder(t, user, [{ product_id: product.id, quantity: 1 }]);
    const cancelled = await createOrder(t, user, [{ product_id: product.id, quantity: 1 }]);
    await t.http.put(`/api/orders/${cancelled.id}/cancel`).set('Authorization', user.bearer);
    await t.http.get(`/api/products/${product.id}`);
    await t.http.get(`/api/products/${product.id}`);
    expect(kept.status).toBe('pending');
    const after = await scrape();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('orders_created_total')).toBe(2);
    expect(delta('orders_cancelled_total{reason="user"}')).toBe(1);
    expect(delta('orders_cancelled_total{reason="payment_timeout"}')).toBe(0);
    expect(after).toMatch(/^orders_cancelled_total\{reason="payment_timeout"\} \d+/m);
    expect(delta('cache_requests_total{result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(delta('cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^cache_requests_total\{result="bypass"\} \d+/m);
  });

  it('reports queues, the database pool, the mail circuit and the process', async () => {
    const text = await scrape();
    for (const queue of ['email', 'orders', 'reports', 'payments']) {
      for (const state of ['waiting', 'active', 'delayed', 'completed', 'failed']) {
        expect(text).toMatch(
          new RegExp(`^queue_jobs\\{queue="${queue}",state="${state}"\\} \\d+`, 'm'),
        );
      }
    }
    expect(value(text, 'db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^db_pool_connections\{state="waiting"\} \d+/m);
    expect(value(text, 'db_pool_max_connections')).toBe(10);
    // No SMTP server listens for this app, so the circuit may well be open (2) by now.
    expect([0, 1, 2]).toContain(value(text, 'mail_circuit_state'));
    expect(text).toMatch(/^# HELP mail_circuit_state .*0 closed.*2 open/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });

  it('parses with promtool, and its own metrics pass promtool lint', async () => {
    const text = await scrape();
    let output: string;
    try {
      output = execFileSync('promtool', ['check', 'metrics'], {
        input: text,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      const failure = error as { code?: string; stdout?: string; stderr?: string };
      if (failure.code === 'ENOENT') {
        throw new Error('promtool is not installed: apt-get install prometheus (.ci/run does)', {
          cause: error,
        });
      }
      output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    }
    const problems = output.split('\n').filter((line) => line.trim() !== '');
    expect(problems.filter((line) => /error|parsing/i.test(line))).toEqual([]);
    // prom-client's default nodejs_* and process_* families are exempt from the lint.
    expect(problems.filter((line) => !/^(nodejs|process)_/.test(line))).toEqual([]);
  });
});
