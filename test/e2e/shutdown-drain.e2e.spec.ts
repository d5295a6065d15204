import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL, runDatabaseUrl } from '../support/env.js';
import { freePort, imageNode, spawnNode, waitForStatus } from '../support/processes.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

let node: string;

beforeAll(() => {
  node = imageNode();
}, 120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SIGTERM to the api on the image’s Node', () => {
  it('answers all of forty requests sent just before the signal, reports not ready while it drains, and exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = spawnNode(
      'dist/main.js',
      {
        DATABASE_URL: runDatabaseUrl(),
        REDIS_URL,
        REDIS_PREFIX: `test:${inject('runId')}:drain${randomBytes(3).toString('hex')}`,
        JWT_SECRET: TEST_JWT_SECRET,
        MIGRATIONS_RUN: 'false',
        RUN_WORKERS: 'false',
        RATE_LIMIT_REQUESTS: '100000',
        AUTH_RATE_LIMIT_REQUESTS: '100000',
        SHUTDOWN_TIMEOUT: '10',
        SHUTDOWN_DRAIN_MS: process.env.TEST_SHUTDOWN_DRAIN_MS ?? '2000',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      [],
      node,
    );
    const db = new pg.Client({ connectionString: runDatabaseUrl() });
    await db.connect();
    try {
      await waitForStatus(`${base}/health/ready`);
      const tag = `drain${randomBytes(3).toString('hex')}`;
      const sent = Array.from({ length: 40 }, () => {
        const username = `${tag}${randomBytes(5).toString('hex')}`;
        return fetch(`${base}/api/auth/register`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            email: `${username}@example.com`,
            username,
            password: 'password-123',
          }),
        }).then(
          (res) => res.status,
          (error: unknown) => String((error as { cause?: unknown }).cause ?? error),
        );
      });
      // The connections are on their way, most not yet accepted, when the signal comes.
      await sleep(5);
      const signalled = Date.now();
      api.child.kill('SIGTERM');
      await sleep(300);
      const [ready, live] = await Promise.all([
        fetch(`${base}/health/ready`),
        fetch(`${base}/health/live`),
      ]);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        code: 503,
        errors: { shutdown: 'down' },
      });
      expect(live.status).toBe(200);

      const statuses = await Promise.all(sent);
      expect(statuses).toEqual(Array.from({ length: 40 }, () => 201));
      expect(await api.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM users WHERE username LIKE $1',
        [`${tag}%`],
      );
      expect(rows[0]!.n).toBe(40);
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    } finally {
      api.child.kill('SIGKILL');
      await db.end();
    }
  });
});
