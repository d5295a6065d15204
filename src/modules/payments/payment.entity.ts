import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { OrderEntity } from '../orders/order.entity.js';
import type { PaymentStatus } from './payment-state-machine.js';

/**
 * One attempt to pay an order through one provider. Money is kept in minor units (cents of
 * the two-decimal CURRENCY) as BIGINT: what providers exchange, exact, never a float.
 */
@Entity({ name: 'payments' })
@Check('payments_id_check', `"id" ~ '^[A-Za-z0-9]{16,32}$'`)
@Check(
  'payments_status_check',
  `"status" IN ('pending', 'succeeded', 'failed', 'cancelled', 'refund_pending', 'refunded')`,
)
@Check('payments_amount_check', `"amount_minor" > 0`)
@Check('payments_refunded_check', `"refunded_minor" >= 0 AND "refunded_minor" <= "amount_minor"`)
@Index('payments_order_created_idx', ['orderId', 'createdAt'])
@Unique('payments_provider_reference_uq', ['provider', 'providerReference'])
// Partial indexes TypeORM cannot describe: one pending payment per order and provider (the
// guard that makes a second create answer the first), and the open payments the reconciler reads.
@Index('payments_pending_order_provider_uq', { synchronize: false })
@Index('payments_open_idx', { synchronize: false })
export class PaymentEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'order_id', type: 'bigint' })
  orderId!: number;

  @ManyToOne(() => OrderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'payments_order_id_fk' })
  order?: OrderEntity;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: PaymentStatus;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'provider_reference', type: 'varchar', length: 255, nullable: true })
  providerReference!: string | null;

  @Column({ name: 'client_action', type: 'jsonb', nullable: true })
  clientAction!: unknown;

  @Column({ name: 'refunded_minor', type: 'bigint', default: 0 })
  refundedMinor!: number;

  /** When the reconciler last looked the payment up at its provider. */
  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every provider event applied: a notification seen again is acknowledged and changes nothing. */
@Entity({ name: 'payment_events' })
@Index('payment_events_payment_idx', ['paymentId'])
export class PaymentEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  provider!: string;

  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 255 })
  eventId!: string;

  @Column({ name: 'payment_id', type: 'varchar', length: 32 })
  paymentId!: string;

  @ManyToOne(() => PaymentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'payment_id', foreignKeyConstraintName: 'payment_events_payment_id_fk' })
  payment?: PaymentEntity;

  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
