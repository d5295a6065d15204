import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * customer_holds: each customer's pending orders and the units in them, the guard of the
 * per-customer caps (ORDER_MAX_PENDING_PER_USER, ORDER_MAX_PENDING_UNITS_PER_USER). Filled from
 * the orders pending now, so the caps count them too.
 */
export class CustomerHolds1764520000000 implements MigrationInterface {
  name = 'CustomerHolds1764520000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "customer_holds" (
        "user_id" bigint NOT NULL,
        "pending_orders" integer NOT NULL DEFAULT 0,
        "pending_units" integer NOT NULL DEFAULT 0,
        "max_pending_orders" integer,
        "max_pending_units" integer,
        CONSTRAINT "PK_customer_holds" PRIMARY KEY ("user_id"),
        CONSTRAINT "customer_holds_user_id_fk" FOREIGN KEY ("user_id")
          REFERENCES "users" ("id") ON DELETE CASCADE,
        CONSTRAINT "customer_holds_caps_check" CHECK (
          ("max_pending_orders" IS NULL OR "pending_orders" <= "max_pending_orders")
          AND ("max_pending_units" IS NULL OR "pending_units" <= "max_pending_units"))
      )`);
    await db.query(`
      INSERT INTO "customer_holds" ("user_id", "pending_orders", "pending_units")
      SELECT o."user_id", count(DISTINCT o."id"), sum(i."quantity")
        FROM "orders" o JOIN "order_items" i ON i."order_id" = o."id"
       WHERE o."status" = 'pending'
       GROUP BY o."user_id"`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "customer_holds"`);
  }
}
