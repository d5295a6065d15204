import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sql } from '../../infra/database/sql.js';
import type { Tx } from '../../infra/database/transaction-runner.js';
import { hashToken } from './token.service.js';
import type { TokenPurpose } from './user-token.entity.js';

export interface IssuedToken {
  id: number;
  /** The secret that goes into the link; only its hash is stored. */
  token: string;
}

@Injectable()
export class UserTokensRepository {
  async issue(
    tx: Tx,
    userId: number,
    purpose: TokenPurpose,
    email: string,
    ttlSeconds: number,
  ): Promise<IssuedToken> {
    const token = randomBytes(32).toString('base64url');
    const { rows } = await sql<{ id: number }>(
      tx,
      `INSERT INTO user_tokens (user_id, purpose, token_hash, email, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id`,
      [userId, purpose, hashToken(token), email, ttlSeconds],
    );
    const row = rows[0];
    if (!row) throw new Error('INSERT returned no token');
    return { id: row.id, token };
  }

  /** Retires the user's unused tokens of this purpose: only the latest link works. */
  async retireUnused(tx: Tx, userId: number, purpose: TokenPurpose): Promise<void> {
    await sql(
      tx,
      `UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [userId, purpose],
    );
  }

  /**
   * Uses a token up, in one conditional UPDATE: of two concurrent uses exactly one succeeds.
   * Null for an unknown, used or expired token.
   */
  async consume(
    tx: Tx,
    token: string,
    purpose: TokenPurpose,
  ): Promise<{ user_id: number; email: string } | null> {
    const { rows } = await sql<{ user_id: number; email: string }>(
      tx,
      `UPDATE user_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id, email`,
      [hashToken(token), purpose],
    );
    return rows[0] ?? null;
  }
}
