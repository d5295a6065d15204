import type { DataSource, Migration } from 'typeorm';

// Arbitrary but fixed: every replica of this service serialises its migrations on this key.
const MIGRATION_LOCK_KEY = 7_314_002_211;

/**
 * Applies pending migrations while holding a session advisory lock, so replicas that start
 * together migrate once and the others wait, then find nothing to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await runner.release();
  }
}
