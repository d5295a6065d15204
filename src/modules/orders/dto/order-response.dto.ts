import { ApiProperty } from '@nestjs/swagger';
import { toJsonNumber } from '../../../common/money.js';
import {
  CANCEL_REASONS,
  ORDER_STATUSES,
  type CancelReason,
  type OrderStatus,
} from '../order.entity.js';
import type { OrderItemRow, OrderRow } from '../orders.repository.js';

export class OrderItemResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) product_id!: number;
  @ApiProperty({ example: 'Espresso cup', description: 'Name when ordered' }) product_name!: string;
  @ApiProperty({ type: 'integer', example: 2 }) quantity!: number;
  @ApiProperty({ example: 12.5, description: 'Price when ordered' }) unit_price!: number;
  @ApiProperty({ example: 25 }) subtotal!: number;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export class OrderResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) id!: number;
  @ApiProperty({ type: 'integer', example: 1 }) user_id!: number;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({ example: 25, description: 'Exact, at most two decimals' }) total_amount!: number;
  @ApiProperty({ type: [OrderItemResponseDto] }) items!: OrderItemResponseDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ format: 'date-time', description: 'Unpaid orders are cancelled then' })
  expires_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) paid_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancelled_at!: string | null;
  @ApiProperty({ type: String, enum: CANCEL_REASONS, nullable: true })
  cancel_reason!: CancelReason | null;

  static from(order: OrderRow, items: readonly OrderItemRow[]): OrderResponseDto {
    return {
      id: order.id,
      user_id: order.user_id,
      status: order.status,
      total_amount: toJsonNumber(order.total_amount),
      items: items.map((item) => ({
        product_id: item.product_id,
        product_name: item.product_name,
        quantity: item.quantity,
        unit_price: toJsonNumber(item.unit_price),
        subtotal: toJsonNumber(item.subtotal),
      })),
      created_at: order.created_at.toISOString(),
      updated_at: order.updated_at.toISOString(),
      expires_at: order.expires_at.toISOString(),
      paid_at: iso(order.paid_at),
      cancelled_at: iso(order.cancelled_at),
      cancel_reason: order.cancel_reason,
    };
  }
}
