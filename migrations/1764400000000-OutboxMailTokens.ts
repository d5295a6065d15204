import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * outbox: work that must follow a committed write (mails, payment timeouts), written in the same
 * transaction and relayed to the queues when Redis is reachable.
 * mail_deliveries: one row per mail ever attempted, so a job that runs twice sends once.
 * user_tokens: single-use email verification and password reset tokens, stored as hashes.
 */
export class OutboxMailTokens1764400000000 implements MigrationInterface {
  name = 'OutboxMailTokens1764400000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "outbox" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "kind" varchar(32) NOT NULL,
        "payload" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "published_at" timestamptz,
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        CONSTRAINT "PK_outbox" PRIMARY KEY ("id")
      )`);
    await db.query(
      `CREATE INDEX "outbox_unpublished_idx" ON "outbox" ("id") WHERE "published_at" IS NULL`,
    );

    await db.query(`
      CREATE TABLE "mail_deliveries" (
        "key" varchar(200) NOT NULL,
        "status" varchar(16) NOT NULL,
        "claimed_at" timestamptz NOT NULL DEFAULT now(),
        "sent_at" timestamptz,
        CONSTRAINT "PK_mail_deliveries" PRIMARY KEY ("key"),
        CONSTRAINT "mail_deliveries_status_check" CHECK ("status" IN ('sending', 'sent'))
      )`);

    await db.query(`
      CREATE TABLE "user_tokens" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "user_id" bigint NOT NULL,
        "purpose" varchar(32) NOT NULL,
        "token_hash" varchar(64) NOT NULL,
        "email" varchar(254) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "PK_user_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "user_tokens_token_hash_uq" UNIQUE ("token_hash"),
        CONSTRAINT "user_tokens_purpose_check" CHECK ("purpose" IN ('verify_email', 'reset_password')),
        CONSTRAINT "user_tokens_user_id_fk" FOREIGN KEY ("user_id")
          REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX "user_tokens_user_idx" ON "user_tokens" ("user_id", "purpose")`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "user_tokens"`);
    await db.query(`DROP TABLE "mail_deliveries"`);
    await db.query(`DROP TABLE "outbox"`);
  }
}
