import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { conflict, DomainError } from '../../common/errors/domain-error.js';
import type { Tx } from '../../infra/database/transaction-runner.js';
import { UserEntity, type UserRole } from './user.entity.js';

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role?: UserRole;
}

export type UserChanges = Partial<
  Pick<UserEntity, 'email' | 'username' | 'passwordHash' | 'role' | 'isActive' | 'emailVerified'>
>;

const UNIQUE_FIELDS: Record<string, 'email' | 'username'> = {
  users_email_lower_uq: 'email',
  users_username_lower_uq: 'username',
};

/** A unique violation on email or username becomes a 409 naming the field. */
const translateUniqueViolation = (error: unknown): unknown => {
  if (!(error instanceof QueryFailedError)) return error;
  const driver = error.driverError as { code?: string; constraint?: string };
  const field =
    driver.code === '23505' && driver.constraint ? UNIQUE_FIELDS[driver.constraint] : undefined;
  if (!field) return error;
  return new DomainError('conflict', `That ${field} is already taken`, {
    [field]: `${field} is already taken`,
  });
};

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  private repo(tx?: Tx): Repository<UserEntity> {
    return tx ? tx.getRepository(UserEntity) : this.users;
  }

  findById(id: number, tx?: Tx): Promise<UserEntity | null> {
    return this.repo(tx).findOneBy({ id });
  }

  /** A login is an email when it has an @ (usernames cannot), otherwise a username. */
  findByLogin(login: string): Promise<UserEntity | null> {
    const column = login.includes('@') ? 'email' : 'username';
    return this.users
      .createQueryBuilder('u')
      .where(`lower(u.${column}) = lower(:login)`, { login })
      .getOne();
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  async create(user: NewUser, tx?: Tx): Promise<UserEntity> {
    try {
      return await this.repo(tx).save(
        this.repo(tx).create({ ...user, role: user.role ?? 'customer' }),
      );
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async update(id: number, changes: UserChanges, tx?: Tx): Promise<UserEntity> {
    try {
      await this.repo(tx).update({ id }, changes);
    } catch (error) {
      throw translateUniqueViolation(error);
    }
    const user = await this.findById(id, tx);
    if (!user) throw conflict('User vanished during update');
    return user;
  }

  list(offset: number, limit: number): Promise<[UserEntity[], number]> {
    return this.users.findAndCount({ order: { id: 'ASC' }, skip: offset, take: limit });
  }
}
