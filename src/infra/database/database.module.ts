import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Database } from './database.js';
import { dataSourceOptions } from './data-source-options.js';
import { loadMigrations } from './migrations.js';
import { runMigrations } from './run-migrations.js';
import { PoolMetrics } from './pool-metrics.js';
import { ReplicaMetrics } from './replica-metrics.js';
import { RecentWriters } from './recent-writers.js';
import { ReplicaSet } from './replica-set.js';

const logger = new Logger('Database');

/**
 * Connects and (when MIGRATIONS_RUN) applies pending migrations under an advisory lock before
 * the app serves anything. The database itself exists by then: createApiApp and
 * createWorkerApp call ensureDatabase before Nest starts.
 */
async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({
    ...options,
    migrationsRun: false,
    migrations: await loadMigrations(),
  });
  await dataSource.initialize();
  if (options.migrationsRun) {
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) {
      logger.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    }
  }
  return dataSource;
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database),
        // Read by openDataSource, which runs them itself under a lock.
        migrationsRun: config.database.migrationsRun,
        retryAttempts: 3,
        retryDelay: 2000,
      }),
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('TypeORM options are missing');
        return openDataSource(options);
      },
    }),
  ],
  providers: [Database, ReplicaSet, PoolMetrics, ReplicaMetrics, RecentWriters],
  exports: [Database, RecentWriters],
})
export class DatabaseModule {}
