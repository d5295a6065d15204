import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './delivery-support.js';
import { checkMigrations } from './migration-safety.js';

const migration = (
  up: string,
  comment = '',
) => `import type { MigrationInterface, QueryRunner } from 'typeorm';

${comment}
export class Change1799999999999 implements MigrationInterface {
  name = 'Change1799999999999';

  public async up(db: QueryRunner): Promise<void> {
    ${up}
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(\`DROP TABLE "anything"\`);
  }
}
`;

/** A folder holding one migration, as migrations/ would. */
const folderWith = (source: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
  writeFileSync(path.join(dir, '1799999999999-Change.ts'), source);
  return dir;
};

describe('migrations are expand-then-contract', () => {
  it('none in migrations/ breaks the release before it (unless marked as a contract step)', () => {
    expect(checkMigrations(path.join(ROOT, 'migrations'))).toEqual([]);
  });

  it.each([
    ['await db.query(`ALTER TABLE "users" DROP COLUMN "email_verified"`);', 'drops a column'],
    ['await db.query(`DROP TABLE "outbox"`);', 'drops a table'],
    [
      'await db.query(`ALTER TABLE "users" RENAME COLUMN "username" TO "login"`);',
      'renames a column',
    ],
    ['await db.query(`ALTER TABLE "orders" RENAME TO "purchases"`);', 'renames a table'],
    [
      'await db.query(`ALTER TABLE "products" ALTER COLUMN "stock" TYPE bigint`);',
      "changes a column's type",
    ],
    [
      'await db.query(`ALTER TABLE "products" ALTER COLUMN "category" SET NOT NULL`);',
      'makes a column NOT NULL',
    ],
    [
      'await db.query(`ALTER TABLE "products" ADD "sku" varchar(64) NOT NULL`);',
      'adds a NOT NULL column without a default',
    ],
    ["await db.dropColumn('users', 'email_verified');", 'calls QueryRunner.dropcolumn'],
  ])('refuses a migration whose up() %s', (up, problem) => {
    const findings = checkMigrations(folderWith(migration(up)));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.problem).toContain(problem);
    expect(findings[0]!.file).toBe('1799999999999-Change.ts');
  });

  it('accepts what the previous release survives: new tables, nullable or defaulted columns, indexes', () => {
    const up = [
      'await db.query(`CREATE TABLE "reviews" ("id" bigint NOT NULL, "body" text NOT NULL)`);',
      'await db.query(`ALTER TABLE "products" ADD "brand" varchar(100), ADD "is_featured" boolean NOT NULL DEFAULT false`);',
      'await db.query(`CREATE INDEX "products_brand_idx" ON "products" ("brand")`);',
      'await db.query(`ALTER TABLE "t" DROP CONSTRAINT "c", ADD CONSTRAINT "c" CHECK ("x" IS NOT NULL)`);',
      'await db.query(`DROP INDEX "products_old_idx"`);',
    ].join('\n    ');
    expect(checkMigrations(folderWith(migration(up)))).toEqual([]);
  });

  it('accepts a breaking change marked as a contract step, with its reason', () => {
    const up = 'await db.query(`ALTER TABLE "users" DROP COLUMN "legacy_flag"`);';
    const marked = '// @contract-step: release 0.4 stopped reading users.legacy_flag';
    expect(checkMigrations(folderWith(migration(up, marked)))).toEqual([]);
    expect(checkMigrations(folderWith(migration(up, '// @contract-step')))).toHaveLength(1);
  });
});
