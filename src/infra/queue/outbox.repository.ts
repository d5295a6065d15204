import { Injectable } from '@nestjs/common';
import type { Db, Tx as DatabaseTx } from '../database/database.js';
import { sql } from '../database/sql.js';
import type { Tx } from '../database/transaction-runner.js';
import type { OutboxEvent } from './outbox-events.js';

export interface OutboxRow {
  id: number;
  payload: OutboxEvent;
}

const PUBLISHED_KEPT_DAYS = 7;

@Injectable()
export class OutboxRepository {
  /** Records events in the caller's transaction: they exist exactly when the write commits. */
  async add(tx: DatabaseTx, events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO outbox (kind, payload) SELECT * FROM unnest($1::varchar[], $2::jsonb[])`,
      [events.map((event) => event.kind), events.map((event) => JSON.stringify(event))],
    );
  }

  /**
   * Takes the oldest unpublished rows for this transaction; other relays skip them, so
   * replicas relay in parallel without handing a row over twice at once.
   */
  async claimBatch(tx: Tx, limit: number): Promise<OutboxRow[]> {
    const { rows } = await sql<OutboxRow>(
      tx,
      `SELECT id, payload FROM outbox WHERE published_at IS NULL
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows;
  }

  async markPublished(tx: Tx, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await sql(
      tx,
      `UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async markFailed(tx: Tx, ids: readonly number[], error: string): Promise<void> {
    await sql(
      tx,
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 1000)],
    );
  }

  async unpublishedCount(tx: Tx): Promise<number> {
    const { rows } = await sql<{ n: number }>(
      tx,
      `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`,
    );
    return rows[0]?.n ?? 0;
  }

  /** Seconds since the oldest row still waiting to be relayed was written; 0 when none waits. */
  async oldestUnrelayedAgeSeconds(db: Db): Promise<number> {
    const { rows } = await db.query<{ age: number }>(
      `SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM outbox
        WHERE published_at IS NULL ORDER BY id LIMIT 1`,
    );
    return Math.max(0, rows[0]?.age ?? 0);
  }

  async deletePublished(tx: Tx): Promise<number> {
    const { count } = await sql(
      tx,
      `DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1)`,
      [PUBLISHED_KEPT_DAYS],
    );
    return count;
  }
}
