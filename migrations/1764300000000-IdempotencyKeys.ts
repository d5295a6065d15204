import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of POST /api/orders, per user. A row is written in the same transaction as
 * the order it records, so a key exists exactly when its order does.
 */
export class IdempotencyKeys1764300000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764300000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "idempotency_keys" (
        "user_id" bigint NOT NULL,
        "key" varchar(255) NOT NULL,
        "request_hash" varchar(64) NOT NULL,
        "order_id" bigint NOT NULL,
        "response_status" smallint NOT NULL,
        "response_body" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("user_id", "key"),
        CONSTRAINT "idempotency_keys_user_id_fk" FOREIGN KEY ("user_id")
          REFERENCES "users" ("id") ON DELETE CASCADE,
        CONSTRAINT "idempotency_keys_order_id_fk" FOREIGN KEY ("order_id")
          REFERENCES "orders" ("id") ON DELETE CASCADE
      )`);
    await db.query(
      `CREATE INDEX "idempotency_keys_expires_idx" ON "idempotency_keys" ("expires_at")`,
    );
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "idempotency_keys"`);
  }
}
