import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { inject } from 'vitest';
import { createApiApp, createWorkerApp } from '../../src/bootstrap/create-app.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { databaseUrl, REDIS_URL, runDatabaseUrl } from './env.js';
import { dropDatabase } from './processes.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  http: TestAgent;
  /** Direct access to the run's database, for arranging and asserting what HTTP cannot show. */
  db: pg.Pool;
  close: () => Promise<void>;
}

/** The environment every test app starts from; a test overrides what it is about. */
export function testEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: runDatabaseUrl(),
    REDIS_URL,
    // Each app gets its own key space under the run's prefix, so apps never share counters.
    REDIS_PREFIX: `test:${inject('runId')}:${randomBytes(4).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    RUN_WORKERS: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_REQUESTS: '1000000',
    AUTH_RATE_LIMIT_REQUESTS: '1000000',
    // Like the rate limits: tests of the lockout set it low themselves.
    AUTH_MAX_FAILURES: '1000000',
    // The per-customer caps would stop tests that place many orders as one user; their own
    // test (order-caps) sets them.
    ORDER_MAX_PENDING_PER_USER: '0',
    ORDER_MAX_PENDING_UNITS_PER_USER: '0',
    // Flash sale tests send many attempts per customer; the limit's own test sets it.
    FLASH_SALE_RATE_LIMIT: '1000000',
    ...overrides,
  };
}

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function startApp(overrides: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  return start(createApiApp, loadConfig(testEnv(overrides)));
}

/**
 * An app on a database of its own (created and migrated by the app itself), for tests whose
 * assertions need a catalogue or totals that no other test file touches.
 */
export async function startIsolatedApp(overrides: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const name = `shop_scratch_${randomBytes(4).toString('hex')}`;
  const t = await startApp({
    DATABASE_URL: databaseUrl(name),
    MIGRATIONS_RUN: 'true',
    ...overrides,
  });
  return {
    ...t,
    close: async () => {
      await t.close();
      await dropDatabase(name);
    },
  };
}

export async function startWorker(overrides: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  return start(createWorkerApp, loadConfig(testEnv(overrides)));
}

async function start(
  create: (config: AppConfig) => Promise<INestApplication>,
  config: AppConfig,
): Promise<TestApp> {
  const app = await create(config);
  const url = await listen(app);
  const db = new pg.Pool({ connectionString: config.database.url, max: 4 });
  // An idle connection cut by a fault test must not become an unhandled error.
  db.on('error', () => undefined);
  return {
    app,
    config,
    url,
    http: request(url),
    db,
    close: async () => {
      await app.close();
      await db.end();
    },
  };
}
