import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { databaseUrl, REDIS_URL, runDatabaseUrl } from '../support/env.js';
import {
  dropDatabase,
  freePort,
  spawnNode,
  waitForStatus,
  type Spawned,
} from '../support/processes.js';
import { PrivateRedis } from '../support/redis-server.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

let smtp: SmtpSink;
let api: Spawned;
let base: string;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = spawnNode('dist/main.js', {
    DATABASE_URL: runDatabaseUrl(),
    REDIS_URL,
    REDIS_PREFIX: `test:${inject('runId')}:log${randomBytes(3).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    PORT: String(port),
    LOG_LEVEL: 'info',
    SLOW_REQUEST_MS: '500',
  });
  await waitForStatus(`${base}/health/ready`);
});
afterAll(async () => {
  api.child.kill('SIGTERM');
  await api.exited;
  await smtp.stop();
});

type LogLine = Record<string, unknown>;
const lines = (): LogLine[] =>
  api
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

describe('logs', () => {
  it('are JSON lines, one per request, with method, route, status, duration and request id', async () => {
    await fetch(`${base}/api/products/987654321`, { headers: { 'X-Request-ID': 'log-line-1' } });
    const line = await eventually(() => {
      const found = lines().find((l) => l.request_id === 'log-line-1');
      expect(found).toBeDefined();
      return found!;
    });
    expect(line).toMatchObject({
      msg: 'request completed',
      method: 'GET',
      url: '/api/products/987654321',
      route: '/api/products/:id',
      status: 404,
      duration_ms: expect.any(Number),
      level: 30,
    });
    expect(
      lines().filter((l) => l.request_id === 'log-line-1' && l.msg === 'request completed'),
    ).toHaveLength(1);
  });

  it('never contain passwords, tokens or authorization headers', async () => {
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Bearer secret-token-in-header',
        'X-Request-ID': 'log-line-2',
      },
      body: JSON.stringify({ username: 'nobody', password: 'secret-password-in-body' }),
    });
    await eventually(() => {
      expect(lines().some((l) => l.request_id === 'log-line-2')).toBe(true);
    });
    expect(api.output()).not.toContain('secret-password-in-body');
    expect(api.output()).not.toContain('secret-token-in-header');
  });

  it('carry the request id into the jobs the request caused', async () => {
    const username = `log${randomBytes(4).toString('hex')}`;
    const res = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-ID': 'log-line-3' },
      body: JSON.stringify({
        email: `${username}@example.com`,
        username,
        password: 'password-123',
      }),
    });
    expect(res.status).toBe(201);
    await smtp.waitFor(`${username}@example.com`, /Welcome/);
    const job = await eventually(() => {
      const found = lines().find((l) => l.msg === 'job completed' && l.request_id === 'log-line-3');
      expect(found).toBeDefined();
      return found!;
    });
    expect(job).toMatchObject({
      queue: 'email',
      job: 'send-mail',
      duration_ms: expect.any(Number),
    });
  });
  it('carry user_id on the line of an authenticated request, and none on an anonymous one', async () => {
    const username = `log${randomBytes(4).toString('hex')}`;
    const post = (path: string, body: object) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const registered = (await (
      await post('/api/auth/register', {
        email: `${username}@example.com`,
        username,
        password: 'password-123',
      })
    ).json()) as { data: { id: number } };
    const login = (await (
      await post('/api/auth/login', { username, password: 'password-123' })
    ).json()) as { data: { access_token: string } };
    await fetch(`${base}/api/users/me`, {
      headers: { Authorization: `Bearer ${login.data.access_token}`, 'X-Request-ID': 'log-user-1' },
    });
    await fetch(`${base}/api/users/me`, { headers: { 'X-Request-ID': 'log-user-2' } });
    const [signedIn, anonymous] = await eventually(() => {
      const found = ['log-user-1', 'log-user-2'].map((id) =>
        lines().find((l) => l.request_id === id && l.msg === 'request completed'),
      );
      expect(found.every(Boolean)).toBe(true);
      return found as LogLine[];
    });
    expect(signedIn).toMatchObject({ status: 200, user_id: registered.data.id });
    expect(anonymous).toMatchObject({ status: 401 });
    expect(anonymous).not.toHaveProperty('user_id');
  });

  it('warn once for a request slower than SLOW_REQUEST_MS, with route, status, duration and request id', async () => {
    // The body arrives 800 ms after the headers: the request takes longer than 500 ms.
    const url = new URL(base);
    const body = JSON.stringify({ username: 'nobody-slow', password: 'wrong-password-1' });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/api/auth/login',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            'X-Request-ID': 'log-slow-1',
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 3));
      setTimeout(() => req.end(body.slice(3)), 800);
    });
    await fetch(`${base}/api/products/987654321`, { headers: { 'X-Request-ID': 'log-fast-1' } });
    const slow = await eventually(() => {
      const found = lines().find((l) => l.request_id === 'log-slow-1' && l.msg === 'slow request');
      expect(found).toBeDefined();
      return found!;
    });
    expect(slow).toMatchObject({
      level: 40,
      method: 'POST',
      route: '/api/auth/login',
      status: 401,
      slow_request_ms: 500,
    });
    expect(slow.duration_ms as number).toBeGreaterThan(500);
    expect(
      lines().filter((l) => l.msg === 'slow request' && l.request_id === 'log-slow-1'),
    ).toHaveLength(1);
    await eventually(() => {
      expect(lines().some((l) => l.request_id === 'log-fast-1')).toBe(true);
    });
    expect(lines().some((l) => l.request_id === 'log-fast-1' && l.msg === 'slow request')).toBe(
      false,
    );
  });
});

/**
 * Failures, logged: an api on a database and a Redis of its own, so that the test may make a
 * statement fail (a trigger) and Redis go away without touching anyone else's.
 */
describe('failure logs', () => {
  const scratch = `shop_scratch_${randomBytes(4).toString('hex')}`;
  const adminPassword = 'admin-password-for-logs';
  let redis: PrivateRedis;
  let failing: Spawned;
  let url: string;
  let db: pg.Pool;

  const logLines = (): LogLine[] =>
    failing
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    failing = spawnNode('dist/main.js', {
      DATABASE_URL: databaseUrl(scratch),
      MIGRATIONS_RUN: 'true',
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'logs',
      JWT_SECRET: TEST_JWT_SECRET,
      RUN_WORKERS: 'false',
      ADMIN_EMAIL: 'logs-admin@example.com',
      ADMIN_PASSWORD: adminPassword,
      PORT: String(port),
      LOG_LEVEL: 'info',
    });
    await waitForStatus(`${url}/health/ready`);
    db = new pg.Pool({ connectionString: databaseUrl(scratch), max: 1 });
  });
  afterAll(async () => {
    failing.child.kill('SIGTERM');
    await failing.exited;
    await db.end();
    await redis.kill();
    await dropDatabase(scratch);
  });

  it("name a failed statement's error, message, SQLSTATE and stack, never its parameters", async () => {
    await db.query(`
      CREATE FUNCTION refuse_product() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by a test trigger' USING ERRCODE = 'P0001'; END $$;
      CREATE TRIGGER refuse_product BEFORE INSERT ON products
      FOR EACH ROW EXECUTE FUNCTION refuse_product();
    `);
    const tokens = (await (
      await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: adminPassword }),
      })
    ).json()) as { data: { access_token: string } };
    const secret = `parameter-${randomBytes(6).toString('hex')}`;
    const res = await fetch(`${url}/api/products`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${tokens.data.access_token}`,
        'X-Request-ID': 'log-sql-error',
      },
      body: JSON.stringify({ name: secret, description: `${secret}-too`, price: 1, stock: 1 }),
    });
    expect(res.status).toBe(500);
    const line = await eventually(() => {
      const found = logLines().find((l) => l.request_id === 'log-sql-error' && l.err);
      expect(found).toBeDefined();
      return found!;
    });
    const err = line.err as Record<string, unknown>;
    expect(Object.keys(err).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(err).toMatchObject({
      type: 'QueryFailedError',
      message: 'refused by a test trigger',
      code: 'P0001',
    });
    expect(failing.output()).not.toContain(secret);
  });

  it('say once why readiness fails, while the 503 body says only that Redis is down', async () => {
    await redis.kill();
    const bodies: unknown[] = [];
    await eventually(async () => {
      const res = await fetch(`${url}/health/ready`);
      expect(res.status).toBe(503);
    });
    for (let i = 0; i < 3; i++) bodies.push(await (await fetch(`${url}/health/ready`)).json());
    for (const body of bodies) {
      expect(body).toMatchObject({
        code: 503,
        status: 'error',
        errors: { redis: 'down' },
        error: { redis: { status: 'down' } },
      });
      const { error, details } = body as Record<string, Record<string, unknown>>;
      expect(error!.redis).toEqual({ status: 'down' });
      expect(details!.redis).toEqual({ status: 'down' });
    }
    const downLines = logLines().filter(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('redis is down: '),
    );
    expect(downLines).toHaveLength(1);
    expect(String(downLines[0]!.msg).length).toBeGreaterThan('redis is down: '.length);

    await redis.restart();
    await waitForStatus(`${url}/health/ready`);
    // The child's stdout reaches the test through a pipe, a moment after the probe's answer.
    await eventually(() => {
      expect(logLines().filter((l) => l.msg === 'redis is up again')).toHaveLength(1);
    });
  });
});
