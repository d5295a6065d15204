import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** Stock never goes below zero; every statement that takes stock relies on it. */
export const PRODUCT_STOCK_CHECK = 'products_stock_check';

@Entity({ name: 'products' })
@Check('products_price_check', `"price" > 0`)
@Check(PRODUCT_STOCK_CHECK, `"stock" >= 0`)
@Check('products_sales_check', `"sales" >= 0`)
@Index('products_category_idx', ['category'])
// Trigram (GIN) and partial sort indexes from later migrations; TypeORM cannot describe them.
@Index('products_name_trgm_idx', { synchronize: false })
@Index('products_description_trgm_idx', { synchronize: false })
@Index('products_sort_created_at_idx', { synchronize: false })
@Index('products_sort_price_idx', { synchronize: false })
@Index('products_sort_name_idx', { synchronize: false })
@Index('products_sort_sales_idx', { synchronize: false })
export class ProductEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** NUMERIC(12,2) arrives as an exact decimal string; never parsed into float arithmetic. */
  @Column({ type: 'numeric', precision: 12, scale: 2 })
  price!: string;

  @Column({ type: 'integer' })
  stock!: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  category!: string | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'integer', default: 0 })
  sales!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
