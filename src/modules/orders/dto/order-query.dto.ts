import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { KeysetPageQueryDto } from '../../../common/dto/page.js';
import { ISO_DATE_OR_DATE_TIME } from '../../../common/validation/iso-date.js';
import { IsMoneyAmount } from '../../../common/validation/money.js';
import { QueryDecimal, QueryInteger } from '../../../common/validation/query-numbers.js';
import { ORDER_STATUSES, type OrderStatus } from '../order.entity.js';

const MAX_TOTAL = 9_999_999_999.99;

const TotalBound = (field: string): PropertyDecorator => {
  const message = `${field} must be a non-negative number with at most two decimals`;
  return applyDecorators(
    IsOptional(),
    QueryDecimal(),
    IsMoneyAmount(message),
    Min(0, { message }),
    Max(MAX_TOTAL, { message: `${field} must not be greater than ${MAX_TOTAL}` }),
  );
};

/** Filters only an administrator may use (a customer passing one gets 403). */
export const ADMIN_ORDER_FILTERS = [
  'user_id',
  'created_from',
  'created_to',
  'min_total',
  'max_total',
] as const;

export class OrderListQueryDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: OrderStatus;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: "Admins only: this user's orders (without it an admin sees every customer's)",
  })
  @IsOptional()
  @QueryInteger()
  @applyDecorators(
    IsInt({ message: 'user_id must be a positive integer' }),
    Min(1, { message: 'user_id must be a positive integer' }),
    Max(Number.MAX_SAFE_INTEGER, { message: 'user_id must be a positive integer' }),
  )
  user_id?: number;

  @ApiPropertyOptional({
    type: String,
    example: '2026-01-01',
    description:
      'Admins only: placed on or after this UTC day (YYYY-MM-DD), or this instant (an ISO date-time)',
  })
  @IsOptional()
  @Matches(ISO_DATE_OR_DATE_TIME, {
    message: 'created_from must be an ISO date (YYYY-MM-DD) or date-time',
  })
  created_from?: string;

  @ApiPropertyOptional({
    type: String,
    example: '2026-01-31',
    description:
      'Admins only: placed on or before this UTC day (YYYY-MM-DD, the whole day included), or this instant (an ISO date-time)',
  })
  @IsOptional()
  @Matches(ISO_DATE_OR_DATE_TIME, {
    message: 'created_to must be an ISO date (YYYY-MM-DD) or date-time',
  })
  created_to?: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    maximum: MAX_TOTAL,
    description: 'Admins only: total_amount at least this',
  })
  @TotalBound('min_total')
  min_total?: number;

  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    maximum: MAX_TOTAL,
    description: 'Admins only: total_amount at most this',
  })
  @TotalBound('max_total')
  max_total?: number;
}
