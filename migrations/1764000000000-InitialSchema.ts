import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, login sessions, products, orders and order items. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "users" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "email" varchar(254) NOT NULL,
        "username" varchar(50) NOT NULL,
        "password_hash" text NOT NULL,
        "role" varchar(16) NOT NULL DEFAULT 'customer',
        "is_active" boolean NOT NULL DEFAULT true,
        "email_verified" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_users" PRIMARY KEY ("id"),
        CONSTRAINT "users_role_check" CHECK ("role" IN ('customer', 'admin'))
      )`);
    await db.query(`CREATE UNIQUE INDEX "users_email_lower_uq" ON "users" (lower("email"))`);
    await db.query(`CREATE UNIQUE INDEX "users_username_lower_uq" ON "users" (lower("username"))`);

    await db.query(`
      CREATE TABLE "auth_sessions" (
        "id" uuid NOT NULL,
        "user_id" bigint NOT NULL,
        "refresh_token_hash" varchar(64) NOT NULL,
        "generation" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        "revoke_reason" varchar(32),
        CONSTRAINT "PK_auth_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "auth_sessions_user_id_fk" FOREIGN KEY ("user_id")
          REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX "auth_sessions_user_id_idx" ON "auth_sessions" ("user_id")`);

    await db.query(`
      CREATE TABLE "products" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "name" varchar(200) NOT NULL,
        "description" text,
        "price" numeric(12,2) NOT NULL,
        "stock" integer NOT NULL,
        "category" varchar(100),
        "is_active" boolean NOT NULL DEFAULT true,
        "sales" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_products" PRIMARY KEY ("id"),
        CONSTRAINT "products_price_check" CHECK ("price" > 0),
        CONSTRAINT "products_stock_check" CHECK ("stock" >= 0),
        CONSTRAINT "products_sales_check" CHECK ("sales" >= 0)
      )`);
    await db.query(`CREATE INDEX "products_name_idx" ON "products" ("name")`);
    await db.query(
      `CREATE INDEX "products_active_created_idx" ON "products" ("is_active", "created_at")`,
    );
    await db.query(`CREATE INDEX "products_category_idx" ON "products" ("category")`);

    await db.query(`
      CREATE TABLE "orders" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "user_id" bigint NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "total_amount" numeric(12,2) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "paid_at" timestamptz,
        "cancelled_at" timestamptz,
        "cancel_reason" varchar(32),
        CONSTRAINT "PK_orders" PRIMARY KEY ("id"),
        CONSTRAINT "orders_status_check"
          CHECK ("status" IN ('pending', 'paid', 'shipped', 'completed', 'cancelled')),
        CONSTRAINT "orders_cancel_reason_check"
          CHECK ("cancel_reason" IN ('user', 'admin', 'payment_timeout')),
        CONSTRAINT "orders_total_amount_check" CHECK ("total_amount" >= 0),
        CONSTRAINT "orders_user_id_fk" FOREIGN KEY ("user_id")
          REFERENCES "users" ("id") ON DELETE RESTRICT
      )`);
    await db.query(`CREATE INDEX "orders_user_created_idx" ON "orders" ("user_id", "created_at")`);
    await db.query(`CREATE INDEX "orders_created_idx" ON "orders" ("created_at")`);
    await db.query(
      `CREATE INDEX "orders_pending_expires_idx" ON "orders" ("expires_at") WHERE "status" = 'pending'`,
    );

    // The (order_id, product_id) unique constraint also serves lookups by order_id.
    await db.query(`
      CREATE TABLE "order_items" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "order_id" bigint NOT NULL,
        "product_id" bigint NOT NULL,
        "product_name" varchar(200) NOT NULL,
        "quantity" integer NOT NULL,
        "unit_price" numeric(12,2) NOT NULL,
        "subtotal" numeric(12,2) NOT NULL,
        CONSTRAINT "PK_order_items" PRIMARY KEY ("id"),
        CONSTRAINT "order_items_order_product_uq" UNIQUE ("order_id", "product_id"),
        CONSTRAINT "order_items_quantity_check" CHECK ("quantity" BETWEEN 1 AND 1000),
        CONSTRAINT "order_items_unit_price_check" CHECK ("unit_price" > 0),
        CONSTRAINT "order_items_order_id_fk" FOREIGN KEY ("order_id")
          REFERENCES "orders" ("id") ON DELETE CASCADE,
        CONSTRAINT "order_items_product_id_fk" FOREIGN KEY ("product_id")
          REFERENCES "products" ("id") ON DELETE RESTRICT
      )`);
    await db.query(`CREATE INDEX "order_items_product_idx" ON "order_items" ("product_id")`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "order_items"`);
    await db.query(`DROP TABLE "orders"`);
    await db.query(`DROP TABLE "products"`);
    await db.query(`DROP TABLE "auth_sessions"`);
    await db.query(`DROP TABLE "users"`);
  }
}
