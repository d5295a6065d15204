import pg from 'pg';
import type { AppConfig } from '../../config/app-config.js';

/**
 * Cancels what the given PostgreSQL backends are running (pg_cancel_backend: the statement
 * fails with 57014, a transaction around it rolls back). An administrative statement on a
 * connection of its own, not data access: the pool may be the very thing the timed-out request
 * was stuck on.
 */
export async function cancelBackends(
  database: AppConfig['database'],
  processIds: readonly number[],
): Promise<void> {
  if (processIds.length === 0) return;
  const client = new pg.Client({
    connectionString: database.url,
    connectionTimeoutMillis: database.connectTimeoutMs,
    application_name: 'shop-cancel',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [
      [...processIds],
    ]);
  } finally {
    await client.end();
  }
}
