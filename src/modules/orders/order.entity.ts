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
  UpdateDateColumn,
} from 'typeorm';
import { ProductEntity } from '../products/product.entity.js';
import { UserEntity } from '../users/user.entity.js';

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CANCEL_REASONS = ['user', 'admin', 'payment_timeout'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

@Entity({ name: 'orders' })
@Check(
  'orders_status_check',
  `"status" IN ('pending', 'paid', 'shipped', 'completed', 'cancelled')`,
)
@Check('orders_cancel_reason_check', `"cancel_reason" IN ('user', 'admin', 'payment_timeout')`)
@Check('orders_total_amount_check', `"total_amount" >= 0`)
@Index('orders_user_created_idx', ['userId', 'createdAt'])
@Index('orders_created_idx', ['createdAt', 'id'])
@Index('orders_status_created_idx', ['status', 'createdAt', 'id'])
@Index('orders_total_idx', ['totalAmount', 'id'])
// Partial index for the payment-timeout sweep; TypeORM cannot describe the WHERE clause.
@Index('orders_pending_expires_idx', { synchronize: false })
export class OrderEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'orders_user_id_fk' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: OrderStatus;

  @Column({ name: 'total_amount', type: 'numeric', precision: 12, scale: 2 })
  totalAmount!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt!: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 32, nullable: true })
  cancelReason!: CancelReason | null;
}

@Entity({ name: 'order_items' })
@Check('order_items_quantity_check', `"quantity" BETWEEN 1 AND 1000`)
@Check('order_items_unit_price_check', `"unit_price" > 0`)
@Unique('order_items_order_product_uq', ['orderId', 'productId'])
@Index('order_items_product_idx', ['productId'])
export class OrderItemEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ name: 'order_id', type: 'bigint' })
  orderId!: number;

  @ManyToOne(() => OrderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_items_order_id_fk' })
  order?: OrderEntity;

  @Column({ name: 'product_id', type: 'bigint' })
  productId!: number;

  @ManyToOne(() => ProductEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'order_items_product_id_fk' })
  product?: ProductEntity;

  /** Snapshots: the order keeps what was bought even if the product is renamed or repriced. */
  @Column({ name: 'product_name', type: 'varchar', length: 200 })
  productName!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ name: 'unit_price', type: 'numeric', precision: 12, scale: 2 })
  unitPrice!: string;

  @Column({ type: 'numeric', precision: 12, scale: 2 })
  subtotal!: string;
}
