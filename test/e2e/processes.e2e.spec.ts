import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { databaseUrl, REDIS_URL, runDatabaseUrl } from '../support/env.js';
import { dropDatabase, freePort, spawnNode, waitForStatus } from '../support/processes.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

const baseEnv = (): NodeJS.ProcessEnv => ({
  DATABASE_URL: runDatabaseUrl(),
  REDIS_URL,
  REDIS_PREFIX: `test:${inject('runId')}:proc${randomBytes(3).toString('hex')}`,
  JWT_SECRET: TEST_JWT_SECRET,
  MIGRATIONS_RUN: 'false',
  LOG_LEVEL: 'warn',
});

describe('start-up configuration errors', () => {
  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer (got "abc")'],
    [
      { DATABASE_URL: 'mysql://x' },
      'Invalid configuration: DATABASE_URL must be a postgres:// URL (got "mysql://x")',
    ],
    [
      { DATABASE_URL: 'postgres://shop:pa@ss/w0rd@db/shop' },
      'Invalid configuration: DATABASE_URL has an "@" after its host: percent-encode "@", "/", ":" and "#" in the user name and password (%40, %2F, %3A, %23) (got "postgres://shop:***@db/shop")',
    ],
    [
      { REDIS_URL: 'redis://:se/cret@cache:6379/0' },
      expect.stringMatching(
        /^Invalid configuration: REDIS_URL must be .*\(got "redis:\/\/:\*\*\*@cache:6379\/0"\)$/,
      ),
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: '' },
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'too-short' },
      'Invalid configuration: JWT_SECRET must be at least 32 characters',
    ],
    [
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/' },
      'Invalid configuration: DATABASE_URL must name a database (postgres://host:5432/<name>) (got "postgres://postgres@127.0.0.1:5432/")',
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: ' '.repeat(40) },
      'Invalid configuration: JWT_SECRET must not be only whitespace',
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'compose-local-secret-change-me-0123456789abcdef' },
      "Invalid configuration: JWT_SECRET is docker-compose.yml's local default; set a secret of your own",
    ],
  ])('stops the api on %j with exit 1 and one line naming the variable', async (env, line) => {
    const api = spawnNode('dist/main.js', { ...baseEnv(), ...env });
    expect(await api.exited).toBe(1);
    expect(api.stderr().split('\n')).toEqual([line, '']);
  });

  it('stops the worker the same way', async () => {
    const worker = spawnNode('dist/worker.js', { ...baseEnv(), WORKER_PORT: '-1' });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toMatch(
      /^Invalid configuration: WORKER_PORT must not be less than 1 \(got "-1"\)\n$/,
    );
  });
});

describe('start-up Redis errors', () => {
  it.each(['dist/main.js', 'dist/worker.js'])(
    '%s: a REDIS_URL database index the server does not have is one line naming REDIS_URL',
    async (script) => {
      // The shared server has 16 databases (0-15); ioredis used to go on in database 0.
      const proc = spawnNode(script, {
        ...baseEnv(),
        REDIS_URL: `${REDIS_URL.replace(/\/\d*$/, '')}/99`,
        PORT: String(await freePort()),
        WORKER_PORT: String(await freePort()),
      });
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toBe(
        'Invalid configuration: REDIS_URL names database 99, which this Redis does not have (its "databases" setting is lower)\n',
      );
    },
  );
});

describe('start-up port errors', () => {
  it.each([
    ['dist/main.js', 'PORT'],
    ['dist/worker.js', 'WORKER_PORT'],
    ['dist/worker.js', 'METRICS_PORT'],
  ])('%s: %s taken by another process is one line naming it', async (script, variable) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const proc = spawnNode(script, {
        ...baseEnv(),
        PORT: String(await freePort()),
        WORKER_PORT: String(await freePort()),
        [variable]: String(port),
      });
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toBe(`Cannot listen: ${variable} ${port} is already in use\n`);
    } finally {
      taken.close();
    }
  });
});

describe('start-up database errors', () => {
  it.each(['dist/main.js', 'dist/worker.js'])(
    '%s: a missing database the role may not create is one line saying what to run',
    async (script) => {
      const suffix = randomBytes(4).toString('hex');
      const role = `shop_nocreate_${suffix}`;
      const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
      await admin.connect();
      await admin.query(`CREATE ROLE "${role}" LOGIN NOCREATEDB`);
      try {
        const url = new URL(databaseUrl(`shop_missing_${suffix}`));
        url.username = role;
        url.password = '';
        const proc = spawnNode(script, {
          ...baseEnv(),
          DATABASE_URL: url.toString(),
          WORKER_PORT: String(await freePort()),
          PORT: String(await freePort()),
        });
        expect(await proc.exited).toBe(1);
        expect(proc.stderr()).toBe(
          `Database "shop_missing_${suffix}" does not exist and role "${role}" may not create it. ` +
            `Ask an administrator to run: CREATE DATABASE "shop_missing_${suffix}" OWNER "${role}";\n`,
        );
      } finally {
        await admin.query(`DROP ROLE "${role}"`);
        await admin.end();
      }
    },
  );

  it.each(['dist/main.js', 'dist/worker.js'])(
    '%s: a database it cannot reach or log in to is one line naming DATABASE_URL',
    async (script) => {
      const closed = await freePort();
      const unreachable = spawnNode(script, {
        ...baseEnv(),
        DATABASE_URL: `postgres://postgres:secret-pw@127.0.0.1:${closed}/shop`,
        DATABASE_CONNECT_TIMEOUT_MS: '500',
      });
      const url = new URL(runDatabaseUrl());
      url.username = `shop_norole_${randomBytes(4).toString('hex')}`;
      const refused = spawnNode(script, { ...baseEnv(), DATABASE_URL: url.toString() });
      expect(await unreachable.exited).toBe(1);
      expect(unreachable.stderr()).toBe(
        `Cannot connect to PostgreSQL at 127.0.0.1:${closed}/shop (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${closed}\n`,
      );
      expect(await refused.exited).toBe(1);
      expect(refused.stderr()).toMatch(
        new RegExp(
          `^PostgreSQL refused the connection to [^ ]+ \\(DATABASE_URL\\): .*"${url.username}".*\n$`,
        ),
      );
    },
    30_000,
  );
});

describe('the api process', () => {
  it('creates and migrates a missing database, serves (a malformed path included), and exits 0 on SIGTERM', async () => {
    const name = `shop_scratch_${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const api = spawnNode('dist/main.js', {
      ...baseEnv(),
      DATABASE_URL: databaseUrl(name),
      MIGRATIONS_RUN: 'true',
      PORT: String(port),
    });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/health/ready`);
      const res = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'p@example.com',
          username: 'proc',
          password: 'password-123',
        }),
      });
      expect(res.status).toBe(201);
      // A malformed percent-escape in a route's parameter is the router's 400, and the process
      // serves on (its metrics and log once threw on it, after the answer, and stopped it).
      for (const [method, path] of [
        ['GET', '/api/products/%ZZ'],
        ['GET', '/api/products/1%E0%A4%A'],
        ['POST', '/api/orders/%C0%AF/pay'],
        ['GET', '/api/flash-sales/%uFFFF'],
      ] as const) {
        const bad = await fetch(`http://127.0.0.1:${port}${path}`, { method });
        expect(bad.status, path).toBe(400);
        expect(await bad.json()).toMatchObject({ code: 400, path });
      }
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    } finally {
      api.child.kill('SIGKILL');
      await dropDatabase(name);
    }
  });
});

describe('the worker process', () => {
  it('serves only probes and metrics on WORKER_PORT and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const worker = spawnNode('dist/worker.js', { ...baseEnv(), WORKER_PORT: String(port) });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForStatus(`${base}/health/live`);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/process_cpu_user_seconds_total/);
      const api = await fetch(`${base}/api/auth/login`, { method: 'POST' });
      expect(api.status).toBe(404);
      expect(((await api.json()) as { code: number }).code).toBe(404);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});

describe('npm run migration:* (dist/cli/migrate.js)', () => {
  it('creates the database, applies, reports, reverts', async () => {
    const name = `shop_scratch_${randomBytes(4).toString('hex')}`;
    const env = { ...baseEnv(), DATABASE_URL: databaseUrl(name) };
    const cli = async (...args: string[]) => {
      const run = spawnNode('dist/cli/migrate.js', env, args);
      return { code: await run.exited, out: run.output(), err: run.stderr() };
    };
    try {
      const first = await cli('run');
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/^created the database\napplied: InitialSchema\d+/);
      expect((await cli('run')).out).toBe('nothing to apply\n');
      expect((await cli('show')).out).toBe('up to date\n');
      expect((await cli('generate', 'Nothing')).out).toBe(
        'no changes: the entities match the migrated schema\n',
      );
      expect((await cli('revert')).out).toBe('reverted the last migration\n');
      expect((await cli('show')).out).toBe('pending migrations exist\n');
      const bad = await cli('frobnicate');
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/^usage: migrate/);
    } finally {
      await dropDatabase(name);
    }
  });
});
