import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, type Repository } from 'typeorm';
import type { Tx } from '../../infra/database/transaction-runner.js';
import type { UserRole } from '../users/user.entity.js';
import { SessionEntity } from './session.entity.js';

export type RevokeReason = 'logout' | 'reuse' | 'password_change' | 'password_reset';

/** What every authenticated request needs to know, in one indexed lookup. */
export interface AccessContext {
  userId: number;
  email: string;
  role: UserRole;
  isActive: boolean;
  revoked: boolean;
  expiresAt: Date;
}

@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
  ) {}

  private repo(tx?: Tx): Repository<SessionEntity> {
    return tx ? tx.getRepository(SessionEntity) : this.sessions;
  }

  async create(
    session: Pick<SessionEntity, 'id' | 'userId' | 'refreshTokenHash' | 'expiresAt'>,
  ): Promise<void> {
    await this.sessions.insert(session);
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  async findAccessContext(sessionId: string): Promise<AccessContext | null> {
    const rows: {
      user_id: number;
      email: string;
      role: UserRole;
      is_active: boolean;
      revoked: boolean;
      expires_at: Date;
    }[] = await this.sessions.query(
      `SELECT u.id AS user_id, u.email, u.role, u.is_active, s.revoked_at IS NOT NULL AS revoked, s.expires_at
         FROM auth_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1`,
      [sessionId],
    );
    const row = rows[0];
    return row
      ? {
          userId: row.user_id,
          email: row.email,
          role: row.role,
          isActive: row.is_active,
          revoked: row.revoked,
          expiresAt: row.expires_at,
        }
      : null;
  }

  /**
   * Swaps the current refresh token for the next one, only if the presented one is still the
   * current one: of two concurrent refreshes with one token, exactly one wins.
   */
  async rotate(
    id: string,
    presentedHash: string,
    nextHash: string,
    expiresAt: Date,
  ): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update(SessionEntity)
      .set({
        refreshTokenHash: nextHash,
        expiresAt,
        lastUsedAt: () => 'now()',
        generation: () => 'generation + 1',
      })
      .where('id = :id AND refresh_token_hash = :presentedHash AND revoked_at IS NULL', {
        id,
        presentedHash,
      })
      .execute();
    return result.affected === 1;
  }

  async revoke(id: string, reason: RevokeReason): Promise<void> {
    await this.sessions.update(
      { id, revokedAt: IsNull() },
      { revokedAt: () => 'now()', revokeReason: reason },
    );
  }

  async revokeAllForUser(
    userId: number,
    reason: RevokeReason,
    exceptId?: string,
    tx?: Tx,
  ): Promise<void> {
    await this.repo(tx).update(
      { userId, revokedAt: IsNull(), ...(exceptId ? { id: Not(exceptId) } : {}) },
      { revokedAt: () => 'now()', revokeReason: reason },
    );
  }
}
