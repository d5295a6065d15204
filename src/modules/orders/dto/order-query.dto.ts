import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { KeysetPageQueryDto } from '../../../common/dto/page.js';
import { ISO_DATE_OR_DATE_TIME } from '../../../common/validation/iso-date.js';
import { ORDER_STATUSES, type OrderStatus } from '../order.entity.js';

const MAX_TOTAL = 9_999_999_999.99;
/** Money as a query string writes it: digits, and at most two decimals after a point. */
const MONEY_TEXT = /^\d+(\.\d{1,2})?$/;

/**
 * Only plain decimal text becomes a number: Number() would also read "" and " " as 0 and
 * "0x10" as 16, silently filtering by a bound the client never wrote. Anything else stays a
 * string and fails IsNumber.
 */
const toMoney = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && MONEY_TEXT.test(value) ? Number(value) : value;

const TotalBound = (field: string): PropertyDecorator => {
  const message = `${field} must be a non-negative number with at most two decimals`;
  return applyDecorators(
    IsOptional(),
    Transform(toMoney),
    IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message }),
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
  @Type(() => Number)
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
