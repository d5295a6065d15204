import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * payments: each attempt to pay an order through a provider, its state machine's status and
 * its money in minor units. payment_events: every provider event id applied, unique per
 * provider, so a notification delivered twice changes nothing the second time.
 */
export class Payments1764600000000 implements MigrationInterface {
  name = 'Payments1764600000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "payments" (
        "id" varchar(32) NOT NULL,
        "order_id" bigint NOT NULL,
        "provider" varchar(32) NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "amount_minor" bigint NOT NULL,
        "currency" varchar(3) NOT NULL,
        "provider_reference" varchar(255),
        "client_action" jsonb,
        "refunded_minor" bigint NOT NULL DEFAULT 0,
        "checked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_payments" PRIMARY KEY ("id"),
        CONSTRAINT "payments_order_id_fk" FOREIGN KEY ("order_id")
          REFERENCES "orders" ("id") ON DELETE RESTRICT,
        CONSTRAINT "payments_provider_reference_uq" UNIQUE ("provider", "provider_reference"),
        CONSTRAINT "payments_id_check" CHECK ("id" ~ '^[A-Za-z0-9]{16,32}$'),
        CONSTRAINT "payments_status_check" CHECK (
          "status" IN ('pending', 'succeeded', 'failed', 'cancelled', 'refund_pending', 'refunded')),
        CONSTRAINT "payments_amount_check" CHECK ("amount_minor" > 0),
        CONSTRAINT "payments_refunded_check" CHECK (
          "refunded_minor" >= 0 AND "refunded_minor" <= "amount_minor")
      )`);
    await db.query(
      `CREATE INDEX "payments_order_created_idx" ON "payments" ("order_id", "created_at")`,
    );
    await db.query(
      `CREATE UNIQUE INDEX "payments_pending_order_provider_uq" ON "payments" ("order_id", "provider")
        WHERE "status" = 'pending'`,
    );
    await db.query(
      `CREATE INDEX "payments_open_idx" ON "payments" ("created_at")
        WHERE "status" IN ('pending', 'refund_pending')`,
    );

    await db.query(`
      CREATE TABLE "payment_events" (
        "provider" varchar(32) NOT NULL,
        "event_id" varchar(255) NOT NULL,
        "payment_id" varchar(32) NOT NULL,
        "kind" varchar(16) NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_payment_events" PRIMARY KEY ("provider", "event_id"),
        CONSTRAINT "payment_events_payment_id_fk" FOREIGN KEY ("payment_id")
          REFERENCES "payments" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX "payment_events_payment_idx" ON "payment_events" ("payment_id")`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "payment_events"`);
    await db.query(`DROP TABLE "payments"`);
  }
}
