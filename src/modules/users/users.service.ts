import { Injectable, Logger } from '@nestjs/common';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error.js';
import type { Tx } from '../../infra/database/transaction-runner.js';
import type { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { PasswordHasher } from './password-hasher.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository, type NewUser, type UserChanges } from './users.repository.js';

export interface AdminAccount {
  email: string;
  password: string;
  username: string;
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async getById(id: number, tx?: Tx): Promise<UserEntity> {
    const user = await this.users.findById(id, tx);
    if (!user) throw notFound('User');
    return user;
  }

  findByLogin(login: string): Promise<UserEntity | null> {
    return this.users.findByLogin(login);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(email);
  }

  async create(
    user: Omit<NewUser, 'passwordHash'> & { password: string },
    tx?: Tx,
  ): Promise<UserEntity> {
    const { password, ...rest } = user;
    return this.users.create({ ...rest, passwordHash: await this.hasher.hash(password) }, tx);
  }

  update(id: number, changes: UserChanges, tx?: Tx): Promise<UserEntity> {
    return this.users.update(id, changes, tx);
  }

  list(offset: number, limit: number): Promise<[UserEntity[], number]> {
    return this.users.list(offset, limit);
  }

  /** Role and status changes take effect on the user's very next request (checked live). */
  async adminUpdate(actorId: number, id: number, dto: AdminUpdateUserDto): Promise<UserEntity> {
    const user = await this.getById(id);
    if (
      id === actorId &&
      (dto.is_active === false || (dto.role !== undefined && dto.role !== user.role))
    ) {
      throw forbidden('Admins cannot disable or demote themselves');
    }
    const changes: UserChanges = {};
    if (dto.is_active !== undefined) changes.isActive = dto.is_active;
    if (dto.role !== undefined) changes.role = dto.role;
    return Object.keys(changes).length > 0 ? this.users.update(id, changes) : user;
  }

  /**
   * Makes sure the configured admin exists. Never touches an existing account's password, and
   * never promotes an existing non-admin account (whoever registered that email first is not
   * thereby trusted).
   */
  async ensureAdmin(admin: AdminAccount): Promise<void> {
    const existing = await this.users.findByEmail(admin.email);
    if (existing) {
      if (existing.role !== 'admin') {
        this.logger.error(
          `ADMIN_EMAIL ${admin.email} belongs to a non-admin account; left unchanged`,
        );
      }
      return;
    }
    try {
      await this.create({ ...admin, role: 'admin' });
      this.logger.log(`Created admin account ${admin.email}`);
    } catch (error) {
      // Another replica created it first, or the username is taken: either way nothing to do here.
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      const now = await this.users.findByEmail(admin.email);
      if (!now) this.logger.error(`Could not create admin ${admin.email}: ${error.message}`);
    }
  }
}
