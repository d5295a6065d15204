import { Injectable, Logger } from '@nestjs/common';
import { userAccessTag } from '../../common/auth/session-authenticator.js';
import { offsetOf, toPage, type Page, type PageQueryDto } from '../../common/dto/page.js';
import { conflict, DomainError, forbidden, notFound } from '../../common/errors/domain-error.js';
import { ResponseCache } from '../../infra/cache/response-cache.js';
import { Database, type Db } from '../../infra/database/database.js';
import type { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import {
  UsersRepository,
  type NewUser,
  type UserChanges,
  type UserRow,
} from './users.repository.js';

export interface AdminAccount {
  email: string;
  username: string;
}

/**
 * User records: lookups for the other modules (rows), and the routes' reads and admin changes
 * (response DTOs). Knows nothing of passwords beyond storing the hash it is given.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly database: Database,
    private readonly users: UsersRepository,
    private readonly cache: ResponseCache,
  ) {}

  async getById(id: number, db: Db = this.database.pool): Promise<UserRow> {
    const user = await this.users.findById(db, id);
    if (!user) throw notFound('User');
    return user;
  }

  async me(id: number): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.getById(id));
  }

  /** A login is an email when it has an @ (usernames cannot), otherwise a username. */
  findByLogin(login: string): Promise<UserRow | null> {
    return login.includes('@')
      ? this.users.findByEmail(this.database.pool, login)
      : this.users.findByUsername(this.database.pool, login);
  }

  findByEmail(email: string): Promise<UserRow | null> {
    return this.users.findByEmail(this.database.pool, email);
  }

  create(db: Db, user: NewUser): Promise<UserRow> {
    return this.users.create(db, user);
  }

  async update(db: Db, id: number, changes: UserChanges): Promise<UserRow> {
    const user = await this.users.update(db, id, changes);
    if (!user) throw conflict('User vanished during update');
    return user;
  }

  async list(query: PageQueryDto): Promise<Page<UserResponseDto>> {
    const { rows, total } = await this.users.list(
      this.database.pool,
      offsetOf(query),
      query.page_size,
    );
    return toPage(
      rows.map((row) => UserResponseDto.from(row)),
      total,
      query,
    );
  }

  /** Role and status changes take effect on the user's very next request (checked live). */
  async adminUpdate(
    actorId: number,
    id: number,
    dto: AdminUpdateUserDto,
  ): Promise<UserResponseDto> {
    const user = await this.getById(id);
    if (
      id === actorId &&
      (dto.is_active === false || (dto.role !== undefined && dto.role !== user.role))
    ) {
      throw forbidden('Admins cannot disable or demote themselves');
    }
    const changes: UserChanges = {};
    if (dto.is_active !== undefined) changes.is_active = dto.is_active;
    if (dto.role !== undefined) changes.role = dto.role;
    if (Object.keys(changes).length === 0) return UserResponseDto.from(user);
    const saved = await this.update(this.database.pool, id, changes);
    await this.cache.invalidate([userAccessTag(id)]);
    return UserResponseDto.from(saved);
  }

  /**
   * Makes sure the configured admin exists. Never touches an existing account's password, and
   * never promotes an existing non-admin account (whoever registered that email first is not
   * thereby trusted). The password is hashed only when the admin is created.
   */
  async ensureAdmin(admin: AdminAccount, passwordHash: () => Promise<string>): Promise<void> {
    const existing = await this.findByEmail(admin.email);
    if (existing) {
      if (existing.role !== 'admin') {
        this.logger.error(
          `ADMIN_EMAIL ${admin.email} belongs to a non-admin account; left unchanged`,
        );
      }
      return;
    }
    try {
      await this.create(this.database.pool, {
        ...admin,
        password_hash: await passwordHash(),
        role: 'admin',
      });
      this.logger.log(`Created admin account ${admin.email}`);
    } catch (error) {
      // Another replica created it first, or the username is taken: either way nothing to do here.
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      const now = await this.findByEmail(admin.email);
      if (!now) this.logger.error(`Could not create admin ${admin.email}: ${error.message}`);
    }
  }
}
