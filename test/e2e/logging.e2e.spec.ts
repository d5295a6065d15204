import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { REDIS_URL } from '../support/env.js';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes.js';
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
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL,
    REDIS_PREFIX: `test:${inject('runId')}:log${randomBytes(3).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    PORT: String(port),
    LOG_LEVEL: 'info',
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
});
