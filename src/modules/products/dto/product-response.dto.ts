import { ApiProperty } from '@nestjs/swagger';
import type { ProductRow, ProductStatsRow } from '../products.repository.js';

export class ProductResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) id!: number;
  @ApiProperty({ example: 'Espresso cup' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ example: 12.5, description: 'At most two decimals' }) price!: number;
  @ApiProperty({ type: 'integer', example: 100 }) stock!: number;
  @ApiProperty({ type: String, nullable: true, example: 'kitchen' }) category!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'CUP-080-WHT' }) sku!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Acme' }) brand!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 15,
    description: 'List price a discount is shown against (at least price); at most two decimals',
  })
  original_price!: number | null;
  @ApiProperty({ type: String, format: 'uri', nullable: true }) image_url!: string | null;
  @ApiProperty() is_featured!: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 5,
    example: 4.33,
    description: 'Mean of the reviews, rounded half up to two decimals; null without reviews',
  })
  rating!: number | null;
  @ApiProperty({ type: 'integer', example: 3 }) review_count!: number;
  @ApiProperty({
    type: 'integer',
    example: 120,
    description:
      'Detail reads; counted in Redis and written back every few seconds, and up to CACHE_TTL older in a cached answer',
  })
  views!: number;
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ type: 'integer', example: 0, description: 'Units sold in paid orders' })
  sales!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;

  static from(row: ProductRow): ProductResponseDto {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      // NUMERIC(12,2) text to the nearest double: "0.30" becomes 0.3, exactly as written.
      price: Number(row.price),
      stock: row.stock,
      category: row.category,
      sku: row.sku,
      brand: row.brand,
      original_price: row.original_price === null ? null : Number(row.original_price),
      image_url: row.image_url,
      is_featured: row.is_featured,
      // Hundredths to the nearest double: 433 becomes 4.33, exactly as written.
      rating: row.rating_hundredths === null ? null : row.rating_hundredths / 100,
      review_count: row.review_count,
      views: row.views,
      is_active: row.is_active,
      sales: row.sales,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  }
}

export class ProductStatsDto {
  @ApiProperty({ type: 'integer', description: 'All products, deleted ones included' })
  total!: number;
  @ApiProperty({ type: 'integer', description: 'Products on sale' }) active!: number;
  @ApiProperty({ type: 'integer', description: 'Units in stock across active products' })
  total_stock!: number;
  @ApiProperty({ type: 'integer', description: 'Units sold in paid orders, across all products' })
  total_sales!: number;

  static from(row: ProductStatsRow): ProductStatsDto {
    return {
      total: row.total,
      active: row.active,
      total_stock: row.total_stock,
      total_sales: row.total_sales,
    };
  }
}
