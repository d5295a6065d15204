import { Injectable } from '@nestjs/common';
import type { UserRole } from '../../common/auth/roles.js';
import type { Db } from '../../infra/database/database.js';

export type RevokeReason = 'logout' | 'reuse' | 'password_change' | 'password_reset';

/** An auth_sessions row, as far as the service reads it. */
export interface SessionRow {
  id: string;
  user_id: number;
  revoked_at: Date | null;
}

/** What every authenticated request needs to know, in one indexed lookup. */
export interface AccessContextRow {
  user_id: number;
  email: string;
  role: UserRole;
  is_active: boolean;
  revoked: boolean;
  expires_at: Date;
}

export interface NewSession {
  id: string;
  user_id: number;
  refresh_token_hash: string;
  expires_at: Date;
}

@Injectable()
export class SessionsRepository {
  async create(db: Db, session: NewSession): Promise<void> {
    await db.query(
      `INSERT INTO auth_sessions (id, user_id, refresh_token_hash, expires_at) VALUES ($1, $2, $3, $4)`,
      [session.id, session.user_id, session.refresh_token_hash, session.expires_at],
    );
  }

  async findById(db: Db, id: string): Promise<SessionRow | null> {
    const { rows } = await db.query<SessionRow>(
      `SELECT id, user_id, revoked_at FROM auth_sessions WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findAccessContext(db: Db, sessionId: string): Promise<AccessContextRow | null> {
    const { rows } = await db.query<AccessContextRow>(
      `SELECT u.id AS user_id, u.email, u.role, u.is_active, s.revoked_at IS NOT NULL AS revoked, s.expires_at
         FROM auth_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1`,
      [sessionId],
    );
    return rows[0] ?? null;
  }

  /**
   * Swaps the current refresh token for the next one, only if the presented one is still the
   * current one: of two concurrent refreshes with one token, exactly one wins.
   */
  async rotate(
    db: Db,
    id: string,
    presentedHash: string,
    nextHash: string,
    expiresAt: Date,
  ): Promise<boolean> {
    const { count } = await db.query(
      `UPDATE auth_sessions
          SET refresh_token_hash = $3, expires_at = $4, last_used_at = now(), generation = generation + 1
        WHERE id = $1 AND refresh_token_hash = $2 AND revoked_at IS NULL`,
      [id, presentedHash, nextHash, expiresAt],
    );
    return count === 1;
  }

  async revoke(db: Db, id: string, reason: RevokeReason): Promise<void> {
    await db.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2
        WHERE id = $1 AND revoked_at IS NULL`,
      [id, reason],
    );
  }

  /** Revokes every live login of the user but `exceptId` (the one making the change), if given. */
  async revokeAllForUser(
    db: Db,
    userId: number,
    reason: RevokeReason,
    exceptId: string | null = null,
  ): Promise<void> {
    await db.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [userId, reason, exceptId],
    );
  }
}
