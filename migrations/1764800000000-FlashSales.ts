import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flash sales (CONTRACT §7): the sales, the units each customer holds in each (CHECKed against
 * the limit), and which orders were placed through a sale. New tables only: an expand step.
 */
export class FlashSales1764800000000 implements MigrationInterface {
  name = 'FlashSales1764800000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "flash_sales" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "product_id" bigint NOT NULL, "price" numeric(12,2) NOT NULL, "quantity" integer NOT NULL, "remaining" integer NOT NULL, "per_user_limit" integer NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "settled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "flash_sales_window_check" CHECK ("ends_at" > "starts_at"), CONSTRAINT "flash_sales_per_user_limit_check" CHECK ("per_user_limit" BETWEEN 1 AND 100), CONSTRAINT "flash_sales_price_check" CHECK ("price" > 0), CONSTRAINT "flash_sales_quantity_check" CHECK ("quantity" >= 1), CONSTRAINT "flash_sales_remaining_check" CHECK ("remaining" >= 0 AND "remaining" <= "quantity"), CONSTRAINT "PK_70299593044ffcba05cc30b97dc" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE INDEX "flash_sales_product_id_idx" ON "flash_sales"  ("product_id") `);
    await db.query(
      `CREATE INDEX "flash_sales_open_idx" ON "flash_sales"  ("starts_at", "id") WHERE "settled_at" IS NULL`,
    );
    await db.query(
      `CREATE TABLE "flash_sale_holdings" ("sale_id" bigint NOT NULL, "user_id" bigint NOT NULL, "units" integer NOT NULL, "max_units" integer NOT NULL, CONSTRAINT "flash_sale_holdings_units_check" CHECK ("units" >= 0 AND "units" <= "max_units"), CONSTRAINT "PK_114e1755851b7b8df554fea8622" PRIMARY KEY ("sale_id", "user_id"))`,
    );
    await db.query(
      `CREATE INDEX "flash_sale_holdings_user_id_idx" ON "flash_sale_holdings"  ("user_id") `,
    );
    await db.query(
      `CREATE TABLE "flash_sale_orders" ("order_id" bigint NOT NULL, "sale_id" bigint NOT NULL, "units" integer NOT NULL, CONSTRAINT "flash_sale_orders_units_check" CHECK ("units" >= 1), CONSTRAINT "PK_e07087a02f14bf6de6a873cfc5d" PRIMARY KEY ("order_id"))`,
    );
    await db.query(
      `CREATE INDEX "flash_sale_orders_sale_id_idx" ON "flash_sale_orders"  ("sale_id") `,
    );
    await db.query(
      `ALTER TABLE "flash_sales" ADD CONSTRAINT "flash_sales_product_id_fk" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_holdings" ADD CONSTRAINT "flash_sale_holdings_sale_id_fk" FOREIGN KEY ("sale_id") REFERENCES "flash_sales"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_holdings" ADD CONSTRAINT "flash_sale_holdings_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_orders" ADD CONSTRAINT "flash_sale_orders_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_orders" ADD CONSTRAINT "flash_sale_orders_sale_id_fk" FOREIGN KEY ("sale_id") REFERENCES "flash_sales"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE "flash_sale_orders" DROP CONSTRAINT "flash_sale_orders_sale_id_fk"`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_orders" DROP CONSTRAINT "flash_sale_orders_order_id_fk"`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_holdings" DROP CONSTRAINT "flash_sale_holdings_user_id_fk"`,
    );
    await db.query(
      `ALTER TABLE "flash_sale_holdings" DROP CONSTRAINT "flash_sale_holdings_sale_id_fk"`,
    );
    await db.query(`ALTER TABLE "flash_sales" DROP CONSTRAINT "flash_sales_product_id_fk"`);
    await db.query(`DROP INDEX "public"."flash_sale_orders_sale_id_idx"`);
    await db.query(`DROP TABLE "flash_sale_orders"`);
    await db.query(`DROP INDEX "public"."flash_sale_holdings_user_id_idx"`);
    await db.query(`DROP TABLE "flash_sale_holdings"`);
    await db.query(`DROP INDEX "public"."flash_sales_open_idx"`);
    await db.query(`DROP INDEX "public"."flash_sales_product_id_idx"`);
    await db.query(`DROP TABLE "flash_sales"`);
  }
}
