import { Injectable } from '@nestjs/common';
import type { Tx } from '../../infra/database/database.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import type { AccountCredentials, CredentialChange } from '../users/index.js';
import type { UserRow } from '../users/index.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountLockout } from './account-lockout.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsRepository } from './sessions.repository.js';

/** Auth's side of a profile change (the users module's AccountCredentials port). */
@Injectable()
export class AccountCredentialsProvider implements AccountCredentials {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly lockout: AccountLockout,
    private readonly links: AccountLinksService,
    private readonly sessions: SessionsRepository,
  ) {}

  /** Counted like a sign-in under both of the account's names; 429 while one is locked. */
  async verifyCurrentPassword(user: UserRow, password: string): Promise<boolean> {
    const attempt = await this.lockout.attempt([user.username, user.email]);
    const valid = await this.hasher.verify(user.password_hash, password);
    if (valid) await this.lockout.succeeded(attempt);
    return valid;
  }

  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  /**
   * A new password or address retires every mailed link; a new password also signs out every
   * other login; a new address gets its verification mail.
   */
  async changed(tx: Tx, change: CredentialChange): Promise<OutboxEvent[]> {
    await this.links.retireAll(tx, change.user.id);
    if (change.passwordChanged) {
      await this.sessions.revokeAllForUser(tx, change.user.id, 'password_change', change.sessionId);
    }
    return change.emailChanged ? [await this.links.verifyNewEmail(tx, change.user)] : [];
  }
}
