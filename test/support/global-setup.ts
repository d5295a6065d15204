import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { dataSourceOptions } from '../../src/infra/database/data-source-options.js';
import { ensureDatabase } from '../../src/infra/database/ensure-database.js';
import { loadMigrations } from '../../src/infra/database/migrations.js';
import { runMigrations } from '../../src/infra/database/run-migrations.js';
import { databaseUrl, REDIS_URL } from './env.js';

const PREFIX = 'shop_test_';
const STALE_AFTER_SECONDS = 6 * 3600;

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Test databases of runs that died without their teardown, older than six hours. */
async function dropStaleDatabases(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`,
  );
  const now = Math.floor(Date.now() / 1000);
  for (const { datname } of rows) {
    const born = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (Number.isFinite(born) && now - born > STALE_AFTER_SECONDS) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }
}

async function deleteKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * One database per test run, migrated with the real migrations, copied once per worker, all
 * dropped at the end. Redis is shared with whatever else runs on the machine, so every key a
 * run writes carries its run id and only those keys are deleted afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const name = `${PREFIX}${runId}`;
  const url = databaseUrl(name);

  await withAdmin(dropStaleDatabases);
  await ensureDatabase(url);
  const dataSource = new DataSource(
    dataSourceOptions(
      {
        url,
        poolSize: 2,
        statementTimeoutMs: 30_000,
        connectTimeoutMs: 5_000,
        migrationsRun: false,
      },
      { migrations: await loadMigrations() },
    ),
  );
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  // Test files run side by side, one per worker; each worker gets a copy of the migrated
  // database, so that files in different workers never see each other's rows (an outbox
  // relay relays every row of its database, and some tests count all unpublished rows).
  // A config that does not set maxWorkers leaves Vitest's default, which is below the core count.
  const configured: unknown = project.globalConfig.maxWorkers;
  const workers =
    typeof configured === 'number' && Number.isInteger(configured) && configured > 0
      ? configured
      : availableParallelism();
  const copies = Array.from({ length: workers }, (_, i) => `${name}_w${i + 1}`);
  await withAdmin(async (client) => {
    for (const copy of copies) await client.query(`CREATE DATABASE "${copy}" TEMPLATE "${name}"`);
  });

  project.provide(
    'databaseUrls',
    copies.map((copy) => databaseUrl(copy)),
  );
  project.provide('runId', runId);

  return async () => {
    await withAdmin(async (client) => {
      for (const db of [...copies, name])
        await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    });
    await deleteKeys(`test:${runId}:*`);
    // Keys grouped in one cluster slot start with their hash tag: {<prefix>:bull}:..., {<prefix>:rl:...}
    await deleteKeys(`{test:${runId}:*`);
  };
}
