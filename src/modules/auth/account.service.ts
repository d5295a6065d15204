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
  ) {}

  /**
   * Email and password changes need the current password. A new email is unverified again; a new
   * password signs out every other login of the user (this one stays signed in).
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
      if (!(await this.hasher.verify(user.passwordHash, dto.current_password))) {
        throw validationFailed({ current_password: 'current_password is incorrect' });
      }
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
