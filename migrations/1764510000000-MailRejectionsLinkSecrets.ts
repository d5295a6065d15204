import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * mail_deliveries: a mail whose recipient the SMTP server refused for good is recorded as
 * 'rejected' with the server's reply, and never tried again.
 *
 * Link secrets leave the outbox: until now a welcome, verification or reset mail carried its
 * full link (with the token) in the outbox row and the queue job. Every link issued so far is
 * retired (a new one is a click on "forgot password" away), the links are removed from the
 * outbox rows, and link mails not yet relayed are dropped, since their links no longer work.
 * Jobs already in Redis keep their dead links until BullMQ removes them (a day, a week if failed).
 */
export class MailRejectionsLinkSecrets1764510000000 implements MigrationInterface {
  name = 'MailRejectionsLinkSecrets1764510000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "mail_deliveries" DROP CONSTRAINT "mail_deliveries_status_check"`);
    await db.query(`
      ALTER TABLE "mail_deliveries"
        ADD CONSTRAINT "mail_deliveries_status_check" CHECK ("status" IN ('sending', 'sent', 'rejected')),
        ADD "rejected_at" timestamptz,
        ADD "rejection" varchar(500)`);

    await db.query(`UPDATE "user_tokens" SET "used_at" = now() WHERE "used_at" IS NULL`);
    await db.query(`
      UPDATE "outbox"
         SET "payload" = "payload" #- '{job,template,verify_url}' #- '{job,template,reset_url}',
             "published_at" = coalesce("published_at", now()),
             "last_error" = CASE WHEN "published_at" IS NULL
                              THEN 'dropped: its link was retired when link secrets left the outbox'
                              ELSE "last_error" END
       WHERE "kind" = 'mail'
         AND "payload" -> 'job' -> 'template' ?| ARRAY['verify_url', 'reset_url']`);
  }

  public async down(db: QueryRunner): Promise<void> {
    // Retired links and scrubbed outbox rows cannot come back.
    await db.query(`DELETE FROM "mail_deliveries" WHERE "status" = 'rejected'`);
    await db.query(`ALTER TABLE "mail_deliveries" DROP CONSTRAINT "mail_deliveries_status_check"`);
    await db.query(`
      ALTER TABLE "mail_deliveries"
        DROP COLUMN "rejection",
        DROP COLUMN "rejected_at",
        ADD CONSTRAINT "mail_deliveries_status_check" CHECK ("status" IN ('sending', 'sent'))`);
  }
}
