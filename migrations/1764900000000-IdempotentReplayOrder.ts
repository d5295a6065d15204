import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An Idempotency-Key's stored response keeps its fields in the order they were sent: `json`
 * stores the text as written, where `jsonb` sorted the keys, so a replay came back reordered.
 */
export class IdempotentReplayOrder1764900000000 implements MigrationInterface {
  name = 'IdempotentReplayOrder1764900000000';

  public async up(db: QueryRunner): Promise<void> {
    // @contract-step: the previous release writes this column as JSON text and reads it parsed, the same for json as for jsonb
    await db.query(
      `ALTER TABLE "idempotency_keys" ALTER COLUMN "response_body" TYPE json USING "response_body"::json`,
    );
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE "idempotency_keys" ALTER COLUMN "response_body" TYPE jsonb USING "response_body"::jsonb`,
    );
  }
}
