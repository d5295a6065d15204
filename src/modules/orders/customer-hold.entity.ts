import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/** The guard of the per-customer caps: the counters never pass the caps written with them. */
export const CUSTOMER_HOLDS_CAPS_CHECK = 'customer_holds_caps_check';

/**
 * What each customer holds in pending orders: how many, and the units in them. An order's
 * placement raises the counters in the statement that takes its stock, together with the caps
 * TypeScript decided it under (null: no cap), so CHECK refuses a placement that concurrent
 * orders pushed past them; paying, cancelling or expiring the order lowers them again.
 */
@Entity({ name: 'customer_holds' })
@Check(
  CUSTOMER_HOLDS_CAPS_CHECK,
  `("max_pending_orders" IS NULL OR "pending_orders" <= "max_pending_orders") AND ("max_pending_units" IS NULL OR "pending_units" <= "max_pending_units")`,
)
export class CustomerHoldEntity {
  @PrimaryColumn({ name: 'user_id', type: 'bigint' })
  userId!: number;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'customer_holds_user_id_fk' })
  user?: UserEntity;

  @Column({ name: 'pending_orders', type: 'integer', default: 0 })
  pendingOrders!: number;

  @Column({ name: 'pending_units', type: 'integer', default: 0 })
  pendingUnits!: number;

  @Column({ name: 'max_pending_orders', type: 'integer', nullable: true })
  maxPendingOrders!: number | null;

  @Column({ name: 'max_pending_units', type: 'integer', nullable: true })
  maxPendingUnits!: number | null;
}
