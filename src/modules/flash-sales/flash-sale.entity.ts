import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { OrderEntity } from '../orders/order.entity.js';
import { ProductEntity } from '../products/product.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** A sale never sells more than it took from stock: refuses a purchase past the last unit. */
export const FLASH_SALE_REMAINING_CHECK = 'flash_sales_remaining_check';
/** A customer never holds more units of a sale than its per-user limit. */
export const FLASH_SALE_HOLDING_CHECK = 'flash_sale_holdings_units_check';

/**
 * A flash sale (CONTRACT §7): `quantity` units of one product taken from its stock when the sale
 * was created, sold at `price` between `starts_at` and `ends_at`. `remaining` is what the sale
 * still holds; the purchase that sells a unit takes it in the order's own transaction, so the
 * CHECK makes overselling impossible whatever the gate in Redis said. `ended_at` is set when an
 * admin ends it early; `settled_at` once its unsold units went back to the product's stock
 * (exactly once: remaining is 0 from then on).
 */
@Entity({ name: 'flash_sales' })
@Check(FLASH_SALE_REMAINING_CHECK, `"remaining" >= 0 AND "remaining" <= "quantity"`)
@Check('flash_sales_quantity_check', `"quantity" >= 1`)
@Check('flash_sales_price_check', `"price" > 0`)
@Check('flash_sales_per_user_limit_check', `"per_user_limit" BETWEEN 1 AND 100`)
@Check('flash_sales_window_check', `"ends_at" > "starts_at"`)
@Index('flash_sales_open_idx', ['startsAt', 'id'], { where: `"settled_at" IS NULL` })
@Index('flash_sales_product_id_idx', ['productId'])
export class FlashSaleEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ name: 'product_id', type: 'bigint' })
  productId!: number;

  @ManyToOne(() => ProductEntity)
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'flash_sales_product_id_fk' })
  product?: ProductEntity;

  @Column({ type: 'numeric', precision: 12, scale: 2 })
  price!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ type: 'integer' })
  remaining!: number;

  @Column({ name: 'per_user_limit', type: 'integer' })
  perUserLimit!: number;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * The units of a sale one customer holds in its orders (cancelled ones given back), with the
 * sale's limit copied beside them so that a CHECK can refuse passing it.
 */
@Entity({ name: 'flash_sale_holdings' })
@Check(FLASH_SALE_HOLDING_CHECK, `"units" >= 0 AND "units" <= "max_units"`)
@Index('flash_sale_holdings_user_id_idx', ['userId'])
export class FlashSaleHoldingEntity {
  @PrimaryColumn({ name: 'sale_id', type: 'bigint' })
  saleId!: number;

  @ManyToOne(() => FlashSaleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sale_id', foreignKeyConstraintName: 'flash_sale_holdings_sale_id_fk' })
  sale?: FlashSaleEntity;

  @PrimaryColumn({ name: 'user_id', type: 'bigint' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'flash_sale_holdings_user_id_fk' })
  user?: UserEntity;

  @Column({ type: 'integer' })
  units!: number;

  @Column({ name: 'max_units', type: 'integer' })
  maxUnits!: number;
}

/** Which orders were placed through a sale, and for how many units: what a cancel gives back. */
@Entity({ name: 'flash_sale_orders' })
@Check('flash_sale_orders_units_check', `"units" >= 1`)
@Index('flash_sale_orders_sale_id_idx', ['saleId'])
export class FlashSaleOrderEntity {
  @PrimaryColumn({ name: 'order_id', type: 'bigint' })
  orderId!: number;

  @OneToOne(() => OrderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'flash_sale_orders_order_id_fk' })
  order?: OrderEntity;

  @Column({ name: 'sale_id', type: 'bigint' })
  saleId!: number;

  @ManyToOne(() => FlashSaleEntity)
  @JoinColumn({ name: 'sale_id', foreignKeyConstraintName: 'flash_sale_orders_sale_id_fk' })
  sale?: FlashSaleEntity;

  @Column({ type: 'integer' })
  units!: number;
}
