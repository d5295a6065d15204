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
    databaseUrl: string;
    runId: string;
  }
}
