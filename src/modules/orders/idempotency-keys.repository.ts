import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../../infra/database/database.js';

export interface StoredResponse {
  request_hash: string;
  response_status: number;
  response_body: unknown;
  expired: boolean;
}

export interface NewIdempotencyRecord {
  userId: number;
  key: string;
  requestHash: string;
  orderId: number;
  responseStatus: number;
  responseBody: unknown;
  ttlSeconds: number;
}

@Injectable()
export class IdempotencyKeysRepository {
  /**
   * Claims (user, key) for the rest of the transaction without waiting: false means another
   * request with this key is running right now.
   */
  async tryClaim(tx: Tx, userId: number, key: string): Promise<boolean> {
    const { rows } = await tx.query<{ claimed: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS claimed`,
      [`idempotency:${userId}:${key}`],
    );
    return rows[0]?.claimed === true;
  }

  async find(db: Db, userId: number, key: string): Promise<StoredResponse | null> {
    const { rows } = await db.query<StoredResponse>(
      `SELECT request_hash, response_status, response_body, expires_at <= now() AS expired
         FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return rows[0] ?? null;
  }

  async delete(tx: Tx, userId: number, key: string): Promise<void> {
    await tx.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2', [userId, key]);
  }

  async insert(tx: Tx, record: NewIdempotencyRecord): Promise<void> {
    await tx.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, response_status, response_body, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
      [
        record.userId,
        record.key,
        record.requestHash,
        record.orderId,
        record.responseStatus,
        JSON.stringify(record.responseBody),
        record.ttlSeconds,
      ],
    );
  }

  /** Removes keys past their 24 hours; returns how many. */
  async deleteExpired(db: Db): Promise<number> {
    const { count } = await db.query('DELETE FROM idempotency_keys WHERE expires_at <= now()');
    return count;
  }
}
