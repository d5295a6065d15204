import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../database/database.js';
import type { OutboxEvent } from './outbox-events.js';

export interface OutboxRow {
  id: number;
  payload: OutboxEvent;
}

const PUBLISHED_KEPT_DAYS = 7;

/**
 * The one INSERT that records events, as a fragment for statements that write their own rows
 * and their events at once (an order's placement): `kinds` and `payloads` name the two array
 * parameters that outboxColumns() fills.
 */
export const insertOutbox = (kinds: string, payloads: string): string =>
  `INSERT INTO outbox (kind, payload) SELECT * FROM unnest(${kinds}::varchar[], ${payloads}::jsonb[])`;

/** Events as the outbox stores them: the kind (the relay's switch) and the whole event. */
export const outboxColumns = (events: readonly OutboxEvent[]): [string[], string[]] => [
  events.map((event) => event.kind),
  events.map((event) => JSON.stringify(event)),
];

@Injectable()
export class OutboxRepository {
  /** Records events in the caller's transaction: they exist exactly when the write commits. */
  async add(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(insertOutbox('$1', '$2'), outboxColumns(events));
  }

  /** Records an event on its own, for what is learned after a write committed. */
  async addAlone(db: Db, event: OutboxEvent): Promise<void> {
    await db.query(insertOutbox('$1', '$2'), outboxColumns([event]));
  }

  /**
   * Takes the oldest unpublished rows for this transaction; other relays skip them, so
   * replicas relay in parallel without handing a row over twice at once.
   */
  async claimBatch(tx: Tx, limit: number): Promise<OutboxRow[]> {
    const { rows } = await tx.query<OutboxRow>(
      `SELECT id, payload FROM outbox WHERE published_at IS NULL
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows;
  }

  async markPublished(tx: Tx, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      `UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async markFailed(tx: Tx, ids: readonly number[], error: string): Promise<void> {
    await tx.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 1000)],
    );
  }

  /** Seconds since the oldest row still waiting to be relayed was written; 0 when none waits. */
  async oldestUnrelayedAgeSeconds(db: Db): Promise<number> {
    const { rows } = await db.query<{ age: number }>(
      `SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM outbox
        WHERE published_at IS NULL ORDER BY id LIMIT 1`,
    );
    return Math.max(0, rows[0]?.age ?? 0);
  }

  /** Removes rows relayed more than a week ago; returns how many. */
  async deletePublished(db: Db): Promise<number> {
    const { count } = await db.query(
      `DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1)`,
      [PUBLISHED_KEPT_DAYS],
    );
    return count;
  }
}
