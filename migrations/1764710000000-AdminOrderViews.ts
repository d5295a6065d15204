import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes behind an admin's order lists (CONTRACT §8), all newest first with the id tie-break:
 * every order (`orders_created_idx` gains the id), one status, and a range of totals. A
 * customer's own list keeps `orders_user_created_idx`; dates are a range of the created index.
 */
export class AdminOrderViews1764710000000 implements MigrationInterface {
  name = 'AdminOrderViews1764710000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "orders_created_idx"`);
    await db.query(`CREATE INDEX "orders_created_idx" ON "orders" ("created_at", "id")`);
    await db.query(
      `CREATE INDEX "orders_status_created_idx" ON "orders" ("status", "created_at", "id")`,
    );
    await db.query(`CREATE INDEX "orders_total_idx" ON "orders" ("total_amount", "id")`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "orders_total_idx"`);
    await db.query(`DROP INDEX "orders_status_created_idx"`);
    await db.query(`DROP INDEX "orders_created_idx"`);
    await db.query(`CREATE INDEX "orders_created_idx" ON "orders" ("created_at")`);
  }
}
