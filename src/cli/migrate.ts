import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { dataSourceOptions } from '../infra/database/data-source-options.js';
import { DatabaseSetupError, ensureDatabase } from '../infra/database/ensure-database.js';
import { loadMigrations } from '../infra/database/migrations.js';
import { runMigrations } from '../infra/database/run-migrations.js';
import { ENTITIES } from '../schema.js';

const USAGE = 'usage: migrate run | revert | show | generate <Name>';
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

async function open(): Promise<DataSource> {
  const { database } = loadConfig();
  const retry = { connectTimeoutMs: database.connectTimeoutMs, retries: 3 };
  if (await ensureDatabase(database.url, retry)) out('created the database');
  const dataSource = new DataSource(
    dataSourceOptions(database, {
      entities: ENTITIES,
      migrations: await loadMigrations(),
      applicationName: 'shop-migrate',
    }),
  );
  return dataSource.initialize();
}

const escape = (sql: string): string =>
  sql.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');

/** Writes migrations/<timestamp>-<Name>.ts with the SQL that brings the schema to the entities. */
async function generate(dataSource: DataSource, name: string): Promise<void> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name))
    throw new Error('the migration name must be PascalCase, e.g. AddProductSku');
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) {
    out('no changes: the entities match the migrated schema');
    return;
  }
  const stamp = Date.now();
  const lines = (queries: { query: string }[]): string =>
    queries.map((q) => `    await db.query(\`${escape(q.query)}\`);`).join('\n');
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${stamp} implements MigrationInterface {
  name = '${name}${stamp}';

  public async up(db: QueryRunner): Promise<void> {
${lines(sql.upQueries)}
  }

  public async down(db: QueryRunner): Promise<void> {
${lines([...sql.downQueries].reverse())}
  }
}
`;
  const file = path.resolve(process.cwd(), 'migrations', `${stamp}-${name}.ts`);
  await writeFile(file, source);
  out(`wrote ${path.relative(process.cwd(), file)}: read and tidy it before committing`);
}

async function main(command: string | undefined, arg: string | undefined): Promise<void> {
  if (!command || !['run', 'revert', 'show', 'generate'].includes(command)) throw new Error(USAGE);
  const dataSource = await open();
  try {
    if (command === 'run') {
      const applied = await runMigrations(dataSource);
      out(
        applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'nothing to apply',
      );
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      out('reverted the last migration');
    } else if (command === 'show') {
      out((await dataSource.showMigrations()) ? 'pending migrations exist' : 'up to date');
    } else {
      if (!arg) throw new Error(USAGE);
      await generate(dataSource, arg);
    }
  } finally {
    await dataSource.destroy();
  }
}

try {
  await main(process.argv[2], process.argv[3]);
} catch (error) {
  const known = error instanceof ConfigError || error instanceof DatabaseSetupError;
  process.stderr.write(
    `${known || !(error instanceof Error) ? String(error instanceof Error ? error.message : error) : error.message}\n`,
  );
  process.exit(1);
}
