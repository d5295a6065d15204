import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One index per list order, over active products only, ending in the id tie-breaker: a page of
 * any order is an index range scan instead of a sort of the whole catalogue. B-tree indexes are
 * scanned backwards for descending orders, so each serves both directions. They replace the
 * indexes that lacked the tie-breaker.
 */
export class ProductSortIndexes1764200000000 implements MigrationInterface {
  name = 'ProductSortIndexes1764200000000';

  public async up(db: QueryRunner): Promise<void> {
    for (const column of ['created_at', 'price', 'name', 'sales']) {
      await db.query(
        `CREATE INDEX "products_sort_${column}_idx" ON "products" ("${column}", "id") WHERE "is_active"`,
      );
    }
    await db.query(`DROP INDEX "products_active_created_idx"`);
    await db.query(`DROP INDEX "products_name_idx"`);
    await db.query(`DROP INDEX "products_hot_idx"`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX "products_hot_idx" ON "products" ("sales" DESC, "id") WHERE "is_active"`,
    );
    await db.query(`CREATE INDEX "products_name_idx" ON "products" ("name")`);
    await db.query(
      `CREATE INDEX "products_active_created_idx" ON "products" ("is_active", "created_at")`,
    );
    for (const column of ['created_at', 'price', 'name', 'sales']) {
      await db.query(`DROP INDEX "products_sort_${column}_idx"`);
    }
  }
}
