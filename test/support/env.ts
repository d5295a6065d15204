import { inject } from 'vitest';

/** Where the tests find PostgreSQL and Redis: the same variables and defaults as the service. */
export const BASE_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres:postgres@localhost:5432/ecommerce';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379/0';

/** A database URL on the same server as the base URL, naming another database. */
export function databaseUrl(name: string, base = BASE_DATABASE_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's databases, one per worker (see global-setup). */
    databaseUrls: string[];
    runId: string;
  }
}

/**
 * The database of the worker running this test file: files running side by side in other
 * workers use other databases. Vitest numbers the workers running at once from 1
 * (VITEST_POOL_ID).
 */
export function runDatabaseUrl(): string {
  const urls = inject('databaseUrls');
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  const url = urls[(worker - 1) % urls.length];
  if (url === undefined) throw new Error('no run database: is global-setup configured?');
  return url;
}
