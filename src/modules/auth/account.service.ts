import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { validationFailed } from '../../common/errors/domain-error.js';
import { TransactionRunner } from '../../infra/database/transaction-runner.js';
import { Outbox } from '../../infra/queue/outbox.js';
import type { UpdateMeDto } from '../users/dto/update-me.dto.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { UserEntity } from '../users/user.entity.js';
import type { UserChanges } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountLockout } from './account-lockout.js';
import { SessionsRepository } from './sessions.repository.js';

/** Changes to the signed-in user's own credentials. */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsRepository,
    private readonly transactions: TransactionRunner,
    private readonly links: AccountLinksService,
    private readonly outbox: Outbox,
    private readonly lockout: AccountLockout,
  ) {}

  /**
   * Email and password changes need the current password, checked like a login: a wrong one
   * counts as a failed sign-in of the account, and a locked account is 429 here too. A new email
   * is unverified again; a new password signs out every other login of the user (this one stays
   * signed in); either retires every link mailed before it.
   */
  async updateMe(caller: AuthUser, dto: UpdateMeDto): Promise<UserEntity> {
    const user = await this.users.getById(caller.id);
    const emailChanged =
      dto.email !== undefined && dto.email.toLowerCase() !== user.email.toLowerCase();
    const passwordChanged = dto.password !== undefined;

    if (emailChanged || passwordChanged) {
      if (dto.current_password === undefined) {
        throw validationFailed({
          current_password: 'current_password is required to change email or password',
        });
      }
      const attempt = await this.lockout.attempt([user.username, user.email]);
      if (!(await this.hasher.verify(user.passwordHash, dto.current_password))) {
        throw validationFailed({ current_password: 'current_password is incorrect' });
      }
      await this.lockout.succeeded(attempt);
    }

    const changes: UserChanges = {};
    if (dto.username !== undefined && dto.username !== user.username)
      changes.username = dto.username;
    if (dto.email !== undefined && dto.email !== user.email) changes.email = dto.email;
    if (emailChanged) changes.emailVerified = false;
    if (dto.password !== undefined) changes.passwordHash = await this.hasher.hash(dto.password);
    if (Object.keys(changes).length === 0) return user;

    const updated = await this.transactions.run(async (tx) => {
      const saved = await this.users.update(user.id, changes, tx);
      if (emailChanged || passwordChanged) await this.links.retireAll(tx, user.id);
      if (passwordChanged) {
        await this.sessions.revokeAllForUser(user.id, 'password_change', caller.sessionId, tx);
      }
      if (emailChanged) await this.outbox.record(tx, [await this.links.verifyNewEmail(tx, saved)]);
      return saved;
    });
    if (emailChanged) this.outbox.flush();
    return updated;
  }
}
