import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/infra/database/data-source-options.js';
import { DatabaseSetupError, ensureDatabase } from '../../src/infra/database/ensure-database.js';
import { loadMigrations } from '../../src/infra/database/migrations.js';
import { runMigrations } from '../../src/infra/database/run-migrations.js';
import { ENTITIES } from '../../src/schema.js';
import { databaseUrl, runDatabaseUrl } from '../support/env.js';
import { dropDatabase } from '../support/processes.js';

const options = {
  poolSize: 3,
  statementTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  migrationsRun: false,
};
let run: DataSource;

beforeAll(async () => {
  run = await new DataSource(
    dataSourceOptions({ url: runDatabaseUrl(), ...options }, { entities: ENTITIES }),
  ).initialize();
});
afterAll(() => run.destroy());

describe('schema', () => {
  it('is exactly what the entities describe (migrations and entities never drift)', async () => {
    const pending = await run.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has every index the design names', async () => {
    const rows: { indexname: string }[] = await run.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'users_email_lower_uq',
        'users_username_lower_uq',
        'orders_user_created_idx',
        'orders_created_idx',
        'order_items_order_product_uq',
        'order_items_product_idx',
        'products_sort_created_at_idx',
        'products_sort_price_idx',
        'products_sort_name_idx',
        'products_sort_sales_idx',
        'products_name_trgm_idx',
        'products_description_trgm_idx',
      ]),
    );
  });

  it('stores money as NUMERIC(12,2)', async () => {
    const rows: {
      table_name: string;
      column_name: string;
      numeric_precision: number;
      numeric_scale: number;
    }[] = await run.query(
      `SELECT table_name, column_name, numeric_precision, numeric_scale FROM information_schema.columns
          WHERE data_type = 'numeric' AND table_schema = 'public' ORDER BY table_name, column_name`,
    );
    expect(
      rows.map((r) => `${r.table_name}.${r.column_name} ${r.numeric_precision},${r.numeric_scale}`),
    ).toEqual([
      'flash_sales.price 12,2',
      'order_items.subtotal 12,2',
      'order_items.unit_price 12,2',
      'orders.total_amount 12,2',
      'products.original_price 12,2',
      'products.price 12,2',
    ]);
  });

  it('refuses negative stock in the database itself', async () => {
    await expect(
      run.query(`INSERT INTO products (name, price, stock) VALUES ('x', 1.00, -1)`),
    ).rejects.toThrow(/products_stock_check/);
  });

  it('refuses two users whose emails differ only in case', async () => {
    const name = `case${randomBytes(4).toString('hex')}`;
    await run.query(`INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x')`, [
      `${name}@x.io`,
      name,
    ]);
    await expect(
      run.query(`INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x')`, [
        `${name.toUpperCase()}@X.IO`,
        `${name}2`,
      ]),
    ).rejects.toThrow(/users_email_lower_uq/);
  });
});

describe('migrations', () => {
  it('apply on an empty database, revert completely, and apply again', async () => {
    const name = `shop_scratch_${randomBytes(4).toString('hex')}`;
    const url = databaseUrl(name);
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
    const migrations = await loadMigrations();
    const scratch = await new DataSource(
      dataSourceOptions({ url, ...options }, { migrations }),
    ).initialize();
    try {
      expect((await runMigrations(scratch)).length).toBe(migrations.length);
      expect(await runMigrations(scratch)).toEqual([]);
      for (let i = 0; i < migrations.length; i++) await scratch.undoLastMigration();
      const tables: { n: number }[] = await scratch.query(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
      );
      expect(tables[0]?.n).toBe(0);
      expect((await runMigrations(scratch)).length).toBe(migrations.length);
    } finally {
      await scratch.destroy();
      await dropDatabase(name);
    }
  });

  it('run once when several processes start together', async () => {
    const name = `shop_scratch_${randomBytes(4).toString('hex')}`;
    const url = databaseUrl(name);
    await ensureDatabase(url);
    const migrations = await loadMigrations();
    const sources = await Promise.all(
      [1, 2, 3].map(() =>
        new DataSource(dataSourceOptions({ url, ...options }, { migrations })).initialize(),
      ),
    );
    try {
      const applied = await Promise.all(sources.map((s) => runMigrations(s)));
      expect(applied.map((a) => a.length).sort()).toEqual([0, 0, migrations.length]);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await dropDatabase(name);
    }
  });

  it('explain exactly what to run when the role may not create the database', async () => {
    const role = `shop_nocreate_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    await admin.query(`CREATE ROLE "${role}" LOGIN NOCREATEDB`);
    try {
      const url = new URL(databaseUrl(`shop_missing_${randomBytes(4).toString('hex')}`));
      url.username = role;
      url.password = '';
      const error = await ensureDatabase(url.toString()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseSetupError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `may not create it\\. Ask an administrator to run: CREATE DATABASE "shop_missing_\\w+" OWNER "${role}";`,
        ),
      );
    } finally {
      await admin.query(`DROP ROLE "${role}"`);
      await admin.end();
    }
  });
});
