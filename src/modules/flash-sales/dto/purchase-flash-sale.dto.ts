import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_PER_USER_LIMIT } from './create-flash-sale.dto.js';

export class PurchaseFlashSaleDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PER_USER_LIMIT,
    example: 1,
    description: "Units to buy; with the caller's earlier units, at most the sale's per_user_limit",
  })
  @applyDecorators(
    IsInt({ message: 'quantity must be an integer' }),
    Min(1, { message: 'quantity must be at least 1' }),
    Max(MAX_PER_USER_LIMIT, { message: `quantity must not be greater than ${MAX_PER_USER_LIMIT}` }),
  )
  quantity!: number;
}
