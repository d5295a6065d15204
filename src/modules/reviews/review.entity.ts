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
import { ProductEntity } from '../products/product.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** One review per customer and product: a second one is refused by this constraint (409). */
export const REVIEW_PER_CUSTOMER_UQ = 'reviews_product_user_uq';

@Entity({ name: 'reviews' })
@Unique(REVIEW_PER_CUSTOMER_UQ, ['productId', 'userId'])
@Check('reviews_rating_check', `"rating" BETWEEN 1 AND 5`)
@Check('reviews_body_check', `char_length("body") <= 5000`)
@Index('reviews_product_created_idx', ['productId', 'createdAt', 'id'])
@Index('reviews_user_idx', ['userId'])
export class ReviewEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ name: 'product_id', type: 'bigint' })
  productId!: number;

  @ManyToOne(() => ProductEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'reviews_product_id_fk' })
  product?: ProductEntity;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'reviews_user_id_fk' })
  user?: UserEntity;

  @Column({ type: 'smallint' })
  rating!: number;

  /** Plain text, stored and returned exactly as the customer wrote it. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
