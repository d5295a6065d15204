import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';

// BIGINT ids and COUNT(*) arrive as JS numbers; every id and count here stays far below 2^53.
pg.defaults.parseInt8 = true;

export type DatabaseConfig = AppConfig['database'];

export interface DataSourceParts {
  /** Only the schema tools need entities (src/schema.ts); the app's queries are plain SQL. */
  entities?: DataSourceOptions['entities'];
  migrations?: DataSourceOptions['migrations'];
  applicationName?: string;
}

export function dataSourceOptions(
  database: DatabaseConfig,
  { entities = [], migrations = [], applicationName = 'shop-api' }: DataSourceParts = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: database.poolSize,
    extra: {
      application_name: applicationName,
      // Fail fast instead of queueing forever when PostgreSQL is unreachable or the pool is busy.
      connectionTimeoutMillis: database.connectTimeoutMs,
      statement_timeout: database.statementTimeoutMs,
      idle_in_transaction_session_timeout: database.statementTimeoutMs * 2,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    },
  };
}
