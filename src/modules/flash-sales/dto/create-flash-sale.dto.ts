import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { ISO_DATE_OR_DATE_TIME } from '../../../common/validation/iso-date.js';
import { IsMoneyAmount } from '../../../common/validation/money.js';

export const MAX_PER_USER_LIMIT = 100;
export const MAX_SALE_QUANTITY = 1_000_000_000;
const MAX_SALE_PRICE = 1_000_000;

/**
 * A date (UTC midnight) or a date-time with its zone, as the wire format's times are written (not
 * ISO's week or ordinal dates, nor zone-less times Date reads in the server's zone); then a real
 * calendar day and time (no 2026-02-30, no 24:00).
 */
const DateTimeField = (field: string): PropertyDecorator => {
  const message = `${field} must be an ISO-8601 date-time`;
  return applyDecorators(
    Matches(ISO_DATE_OR_DATE_TIME, { message }),
    IsISO8601({ strict: true }, { message }),
  );
};

export class CreateFlashSaleDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  @applyDecorators(
    IsInt({ message: 'product_id must be a positive integer' }),
    Min(1, { message: 'product_id must be a positive integer' }),
    Max(Number.MAX_SAFE_INTEGER, { message: 'product_id must be a positive integer' }),
  )
  product_id!: number;

  @ApiProperty({
    example: 9.99,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_SALE_PRICE,
    description: 'The sale price, at most two decimals',
  })
  @applyDecorators(
    IsMoneyAmount('price must be a number with at most two decimals'),
    Min(0.01, { message: 'price must be a positive number' }),
    Max(MAX_SALE_PRICE, { message: `price must not be greater than ${MAX_SALE_PRICE}` }),
  )
  price!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SALE_QUANTITY,
    example: 200,
    description: "Units offered; taken from the product's stock at once",
  })
  @applyDecorators(
    IsInt({ message: 'quantity must be an integer' }),
    Min(1, { message: 'quantity must be at least 1' }),
    Max(MAX_SALE_QUANTITY, { message: `quantity must not be greater than ${MAX_SALE_QUANTITY}` }),
  )
  quantity!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PER_USER_LIMIT, default: 1 })
  @IsOptional()
  @applyDecorators(
    IsInt({ message: 'per_user_limit must be an integer' }),
    Min(1, { message: 'per_user_limit must be at least 1' }),
    Max(MAX_PER_USER_LIMIT, {
      message: `per_user_limit must not be greater than ${MAX_PER_USER_LIMIT}`,
    }),
  )
  per_user_limit?: number;

  @ApiProperty({
    format: 'date-time',
    example: '2026-12-01T10:00:00.000Z',
    description: 'With its zone (Z or ±HH:MM); a date alone is its UTC midnight',
  })
  @DateTimeField('starts_at')
  starts_at!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'After starts_at, in the future; written as starts_at is',
  })
  @DateTimeField('ends_at')
  ends_at!: string;
}
