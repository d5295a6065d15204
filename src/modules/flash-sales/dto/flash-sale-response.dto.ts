import { ApiProperty } from '@nestjs/swagger';
import { toJsonNumber } from '../../../common/money.js';
import type { GateSale } from '../flash-sale-gate.js';
import { endOf, FLASH_SALE_STATUSES, statusOf, type FlashSaleStatus } from '../flash-sale-rules.js';

export class FlashSaleResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) id!: number;
  @ApiProperty({ type: 'integer', example: 1 }) product_id!: number;
  @ApiProperty({ example: 9.99, description: 'The sale price' }) price!: number;
  @ApiProperty({ type: 'integer', example: 200, description: 'Units offered' }) quantity!: number;
  @ApiProperty({
    type: 'integer',
    example: 37,
    description:
      'Units still on sale, live; 0 once the sale ended (unsold units went back to stock)',
  })
  remaining!: number;
  @ApiProperty({ type: 'integer', example: 1 }) per_user_limit!: number;
  @ApiProperty({ format: 'date-time' }) starts_at!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'When it ends; for a sale ended early (DELETE), when it was ended',
  })
  ends_at!: string;
  @ApiProperty({ enum: FLASH_SALE_STATUSES }) status!: FlashSaleStatus;

  static from(sale: GateSale, now = new Date()): FlashSaleResponseDto {
    const status = statusOf(sale, now);
    return {
      id: sale.id,
      product_id: sale.product_id,
      price: toJsonNumber(sale.price),
      quantity: sale.quantity,
      // Ended by time, its units are no longer on sale, though the sweep may not have settled it.
      remaining: status === 'ended' ? 0 : sale.remaining,
      per_user_limit: sale.per_user_limit,
      starts_at: sale.starts_at.toISOString(),
      ends_at: endOf(sale).toISOString(),
      status,
    };
  }
}
