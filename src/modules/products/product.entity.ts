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
@Check('products_original_price_check', `"original_price" IS NULL OR "original_price" >= "price"`)
@Check(
  'products_rating_check',
  `"review_count" >= 0 AND "rating_sum" BETWEEN "review_count" AND 5 * "review_count" AND ("rating_hundredths" IS NULL) = ("review_count" = 0) AND ("rating_hundredths" IS NULL OR "rating_hundredths" BETWEEN 100 AND 500)`,
)
@Check('products_views_check', `"views" >= 0`)
@Index('products_category_idx', ['category'])
// Trigram (GIN) and partial sort indexes from later migrations; TypeORM cannot describe them.
@Index('products_name_trgm_idx', { synchronize: false })
@Index('products_description_trgm_idx', { synchronize: false })
@Index('products_sort_created_at_idx', { synchronize: false })
@Index('products_sort_price_idx', { synchronize: false })
@Index('products_sort_name_idx', { synchronize: false })
@Index('products_sort_sales_idx', { synchronize: false })
@Index('products_sort_views_idx', { synchronize: false })
@Index('products_sort_rating_idx', { synchronize: false })
@Index('products_sort_rating_desc_idx', { synchronize: false })
@Index('products_brand_idx', { synchronize: false })
@Index('products_featured_idx', { synchronize: false })
@Index('products_hot_category_idx', { synchronize: false })
// Unique without regard to case among active products with a SKU (an expression, partial).
@Index('products_sku_uq', { synchronize: false })
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

  @Column({ type: 'varchar', length: 64, nullable: true })
  sku!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  brand!: string | null;

  /** The list price a discount is shown against; never below price. */
  @Column({ name: 'original_price', type: 'numeric', precision: 12, scale: 2, nullable: true })
  originalPrice!: string | null;

  @Column({ name: 'image_url', type: 'varchar', length: 2048, nullable: true })
  imageUrl!: string | null;

  @Column({ name: 'is_featured', type: 'boolean', default: false })
  isFeatured!: boolean;

  /** The sum and number of the product's review ratings, kept by the review's transaction. */
  @Column({ name: 'rating_sum', type: 'integer', default: 0 })
  ratingSum!: number;

  @Column({ name: 'review_count', type: 'integer', default: 0 })
  reviewCount!: number;

  /** The mean rating times 100, rounded (null without reviews): what is shown and sorted by. */
  @Column({ name: 'rating_hundredths', type: 'smallint', nullable: true })
  ratingHundredths!: number | null;

  /** Detail reads, counted in Redis and added here in batches. */
  @Column({ type: 'bigint', default: 0 })
  views!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
