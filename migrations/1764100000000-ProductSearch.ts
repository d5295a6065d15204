import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trigram indexes make case-insensitive substring search (ILIKE '%text%') use an index instead
 * of scanning every product; a partial index serves the "hot products" ranking.
 */
export class ProductSearch1764100000000 implements MigrationInterface {
  name = 'ProductSearch1764100000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await db.query(
      `CREATE INDEX "products_name_trgm_idx" ON "products" USING gin ("name" gin_trgm_ops)`,
    );
    await db.query(
      `CREATE INDEX "products_description_trgm_idx" ON "products" USING gin ("description" gin_trgm_ops)`,
    );
    await db.query(
      `CREATE INDEX "products_hot_idx" ON "products" ("sales" DESC, "id") WHERE "is_active"`,
    );
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "products_hot_idx"`);
    await db.query(`DROP INDEX "products_description_trgm_idx"`);
    await db.query(`DROP INDEX "products_name_trgm_idx"`);
  }
}
