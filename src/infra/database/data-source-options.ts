import pg, { type PoolConfig } from 'pg';
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

/**
 * A read replica's pool: the primary's statement timeout, a connect timeout of its own (short:
 * a read waiting for a replica that does not answer goes to the primary after it), and a client
 * side bound on a statement, so that a replica cut off mid-query fails the read instead of
 * holding it until TCP gives up.
 */
export function replicaPoolOptions(
  database: DatabaseConfig,
  replicas: AppConfig['readReplicas'],
  applicationName = 'shop-api',
): PoolConfig {
  return {
    max: replicas.poolSize,
    application_name: `${applicationName}:replica`,
    connectionTimeoutMillis: replicas.connectTimeoutMs,
    statement_timeout: database.statementTimeoutMs,
    query_timeout: database.statementTimeoutMs + replicas.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  };
}
