import { Inject, Injectable } from '@nestjs/common';
import { userAccessTag } from '../../common/auth/session-authenticator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { validationFailed } from '../../common/errors/domain-error.js';
import { ResponseCache } from '../../infra/cache/response-cache.js';
import { Database } from '../../infra/database/database.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { ACCOUNT_CREDENTIALS, type AccountCredentials } from './account-credentials.port.js';
import type { UpdateMeDto } from './dto/update-me.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import type { UserChanges } from './users.repository.js';
import { UsersService } from './users.service.js';

/** The signed-in user's own profile: PUT /api/users/me. */
@Injectable()
export class ProfileService {
  constructor(
    private readonly database: Database,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    private readonly cache: ResponseCache,
    @Inject(ACCOUNT_CREDENTIALS) private readonly credentials: AccountCredentials,
  ) {}

  /**
   * Email and password changes need the current password, checked like a sign-in. A new email
   * is unverified again; a new password signs out every other login of the user (this one stays
   * signed in); either retires every link mailed before it (AccountCredentials.changed).
   */
  async updateMe(caller: AuthUser, dto: UpdateMeDto): Promise<UserResponseDto> {
    const user = await this.users.getById(caller.id);
    // Another address; a rewrite of the same one in other letter case is still a change of
    // what is stored (and so needs the password), but leaves it verified.
    const emailRewritten = dto.email !== undefined && dto.email !== user.email;
    const emailChanged =
      dto.email !== undefined && dto.email.toLowerCase() !== user.email.toLowerCase();
    const passwordChanged = dto.password !== undefined;

    if ((emailRewritten || passwordChanged) && dto.current_password === undefined) {
      throw validationFailed({
        current_password: 'current_password is required to change email or password',
      });
    }
    // Checked whenever it is sent, even for a change that does not need it: a wrong password is
    // never quietly accepted.
    if (
      dto.current_password !== undefined &&
      !(await this.credentials.verifyCurrentPassword(user, dto.current_password))
    ) {
      throw validationFailed({ current_password: 'current_password is incorrect' });
    }

    const changes: UserChanges = {};
    if (dto.username !== undefined && dto.username !== user.username)
      changes.username = dto.username;
    if (emailRewritten) changes.email = dto.email;
    if (emailChanged) changes.email_verified = false;
    if (dto.password !== undefined)
      changes.password_hash = await this.credentials.hashPassword(dto.password);
    if (Object.keys(changes).length === 0) return UserResponseDto.from(user);

    const { saved, events } = await this.database.transaction(async (tx) => {
      const saved = await this.users.update(tx, user.id, changes);
      const events =
        emailChanged || passwordChanged
          ? await this.credentials.changed(tx, {
              user: saved,
              emailChanged,
              passwordChanged,
              sessionId: caller.sessionId,
            })
          : [];
      await this.outbox.record(tx, events);
      return { saved, events };
    });
    if (events.length > 0) this.outbox.flush();
    // The other logins were revoked, or the address the requests carry changed.
    if (emailRewritten || passwordChanged) await this.cache.invalidate([userAccessTag(user.id)]);
    return UserResponseDto.from(saved);
  }
}
