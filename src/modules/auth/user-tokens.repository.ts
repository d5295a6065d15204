import { Injectable } from '@nestjs/common';
import type { LinkPurpose } from '../../common/security/link-token.js';
import type { Db, Tx } from '../../infra/database/database.js';

export interface NewUserToken {
  id: number;
  user_id: number;
  purpose: LinkPurpose;
  /** SHA-256 of the link's secret; the secret itself is never stored. */
  token_hash: string;
  /** The address the link goes to. */
  email: string;
  ttl_seconds: number;
}

/** What using a token up answers: whose it was, and the address it was sent to. */
export interface ConsumedTokenRow {
  user_id: number;
  email: string;
}

@Injectable()
export class UserTokensRepository {
  /** The id the next token will have: its link secret is derived from it before the insert. */
  async nextId(db: Db): Promise<number> {
    const { rows } = await db.query<{ id: number }>(
      `SELECT nextval(pg_get_serial_sequence('user_tokens', 'id')) AS id`,
    );
    const row = rows[0];
    if (!row) throw new Error('nextval returned no id');
    return row.id;
  }

  async insert(tx: Tx, token: NewUserToken): Promise<void> {
    await tx.query(
      `INSERT INTO user_tokens (id, user_id, purpose, token_hash, email, expires_at)
       OVERRIDING SYSTEM VALUE
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [token.id, token.user_id, token.purpose, token.token_hash, token.email, token.ttl_seconds],
    );
  }

  /** Retires the user's unused tokens of these purposes. */
  async retireUnused(tx: Tx, userId: number, purposes: readonly LinkPurpose[]): Promise<void> {
    await tx.query(
      `UPDATE user_tokens SET used_at = now()
        WHERE user_id = $1 AND purpose = ANY($2::varchar[]) AND used_at IS NULL`,
      [userId, purposes],
    );
  }

  /**
   * Uses a token up, in one conditional UPDATE: of two concurrent uses exactly one succeeds.
   * Null for an unknown, used or expired token.
   */
  async consume(tx: Tx, tokenHash: string, purpose: LinkPurpose): Promise<ConsumedTokenRow | null> {
    const { rows } = await tx.query<ConsumedTokenRow>(
      `UPDATE user_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id, email`,
      [tokenHash, purpose],
    );
    return rows[0] ?? null;
  }
}
