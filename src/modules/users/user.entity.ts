import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

import type { UserRole } from '../../common/auth/roles.js';

// The roles are common vocabulary (guards, decorators); re-exported for the modules that name them here.
export { USER_ROLES, type UserRole } from '../../common/auth/roles.js';

/** Schema description only (schema-drift test, migration:generate); queries use UserRow. */
@Entity({ name: 'users' })
@Check('users_role_check', `"role" IN ('customer', 'admin')`)
// Case-insensitive uniqueness lives in expression indexes, which TypeORM cannot describe.
@Index('users_email_lower_uq', { synchronize: false })
@Index('users_username_lower_uq', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 50 })
  username!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'customer' })
  role!: UserRole;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
