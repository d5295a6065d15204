import { Injectable } from '@nestjs/common';
import type { UserRole } from '../../common/auth/roles.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Db } from '../../infra/database/database.js';
import { violatedUnique } from '../../infra/database/pg-errors.js';

/** A users row as PostgreSQL returns it. */
export interface UserRow {
  id: number;
  email: string;
  username: string;
  password_hash: string;
  role: UserRole;
  is_active: boolean;
  email_verified: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface NewUser {
  email: string;
  username: string;
  password_hash: string;
  role: UserRole;
}

/** The columns a change may set; the keys are column names. */
export type UserChanges = Partial<
  Pick<UserRow, 'email' | 'username' | 'password_hash' | 'role' | 'is_active' | 'email_verified'>
>;

const CHANGEABLE: readonly (keyof UserChanges)[] = [
  'email',
  'username',
  'password_hash',
  'role',
  'is_active',
  'email_verified',
];

const COLUMNS =
  'id, email, username, password_hash, role, is_active, email_verified, created_at, updated_at';

const UNIQUE_FIELDS: Record<string, 'email' | 'username'> = {
  users_email_lower_uq: 'email',
  users_username_lower_uq: 'username',
};

/** A unique violation on email or username becomes a 409 naming the field. */
const translateUniqueViolation = (error: unknown): unknown => {
  const constraint = violatedUnique(error);
  const field = constraint === undefined ? undefined : UNIQUE_FIELDS[constraint];
  if (!field) return error;
  return new DomainError('conflict', `That ${field} is already taken`, {
    [field]: `${field} is already taken`,
  });
};

@Injectable()
export class UsersRepository {
  async findById(db: Db, id: number): Promise<UserRow | null> {
    const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Emails and usernames are unique without case (the lower() indexes serve these lookups). */
  async findByEmail(db: Db, email: string): Promise<UserRow | null> {
    const { rows } = await db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return rows[0] ?? null;
  }

  async findByUsername(db: Db, username: string): Promise<UserRow | null> {
    const { rows } = await db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`,
      [username],
    );
    return rows[0] ?? null;
  }

  async create(db: Db, user: NewUser): Promise<UserRow> {
    try {
      const { rows } = await db.query<UserRow>(
        `INSERT INTO users (email, username, password_hash, role) VALUES ($1, $2, $3, $4)
         RETURNING ${COLUMNS}`,
        [user.email, user.username, user.password_hash, user.role],
      );
      const row = rows[0];
      if (!row) throw new Error('INSERT returned no user');
      return row;
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  /** Sets the given columns (and updated_at); null when no such user. */
  async update(db: Db, id: number, changes: UserChanges): Promise<UserRow | null> {
    const columns = CHANGEABLE.filter((column) => changes[column] !== undefined);
    const assignments = columns.map((column, i) => `${column} = $${i + 2}`);
    try {
      const { rows } = await db.query<UserRow>(
        `UPDATE users SET ${[...assignments, 'updated_at = now()'].join(', ')} WHERE id = $1
         RETURNING ${COLUMNS}`,
        [id, ...columns.map((column) => changes[column])],
      );
      return rows[0] ?? null;
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async list(db: Db, offset: number, limit: number): Promise<{ rows: UserRow[]; total: number }> {
    const [page, count] = await Promise.all([
      db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id LIMIT $1 OFFSET $2`, [
        limit,
        offset,
      ]),
      db.query<{ total: number }>(`SELECT count(*)::int AS total FROM users`),
    ]);
    return { rows: page.rows, total: count.rows[0]?.total ?? 0 };
  }
}
