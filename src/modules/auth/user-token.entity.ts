import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { LinkPurpose } from '../../common/security/link-token.js';
import { UserEntity } from '../users/user.entity.js';

/**
 * A single-use link token (email verification, password reset). Only the hash of its secret is
 * stored; the secret is derived from the id (see mintLinkToken).
 */
@Entity({ name: 'user_tokens' })
@Check('user_tokens_purpose_check', `"purpose" IN ('verify_email', 'reset_password')`)
@Unique('user_tokens_token_hash_uq', ['tokenHash'])
@Index('user_tokens_user_idx', ['userId', 'purpose'])
export class UserTokenEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_tokens_user_id_fk' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 32 })
  purpose!: LinkPurpose;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The address the link was sent to: a verification link for an old address proves nothing. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
