import { ApiProperty } from '@nestjs/swagger';
import type { ProductRow, ProductStatsRow } from '../products.repository.js';

export class ProductResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) id!: number;
  @ApiProperty({ example: 'Espresso cup' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ example: 12.5, description: 'At most two decimals' }) price!: number;
  @ApiProperty({ type: 'integer', example: 100 }) stock!: number;
  @ApiProperty({ type: String, nullable: true, example: 'kitchen' }) category!: string | null;
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
