import { DataSource } from 'typeorm';
import { loadConfig } from '../../config/load-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { loadMigrations } from './migrations.js';

/**
 * The DataSource the TypeORM CLI loads (`typeorm -d dist/infra/database/data-source.js`), built
 * from the same options as the app's.
 */
export default new DataSource(
  dataSourceOptions(loadConfig().database, await loadMigrations(), 'shop-cli'),
);
