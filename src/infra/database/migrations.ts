import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = import.meta.url.endsWith('.js');

/**
 * Compiled, this file is dist/infra/database/migrations.js and the migrations are compiled beside
 * it in dist/migrations. From source (tests, tooling) they are the .ts files in migrations/.
 */
export const MIGRATIONS_DIR = compiled
  ? path.resolve(here, '../../migrations')
  : path.resolve(here, '../../../migrations');

/**
 * Imports the migration classes ourselves rather than handing TypeORM a glob: a dynamic import
 * from our own code goes through the test runner's TypeScript loader, TypeORM's would not.
 */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<MigrationClass[]> {
  const extension = compiled ? '.js' : '.ts';
  const files = (await readdir(dir))
    .filter((file) => file.endsWith(extension) && !file.endsWith('.d.ts'))
    .sort();
  const classes: MigrationClass[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(module)) {
      if (typeof value === 'function') classes.push(value as MigrationClass);
    }
  }
  return classes;
}
