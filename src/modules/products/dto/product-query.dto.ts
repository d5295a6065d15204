import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { KeysetPageQueryDto } from '../../../common/dto/page.js';
import { QueryDecimal, QueryInteger } from '../../../common/validation/query-numbers.js';
import { Chars } from '../../../common/validation/text-length.js';

export const PRODUCT_SORTS = ['created_at', 'price', 'name', 'sales', 'rating', 'views'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** "true" and "false" in a query string; anything else is left for IsBoolean to refuse. */
const queryBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

const CategoryQuery = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsString({ message: 'category must be a string' }),
    Chars(0, 100, { message: 'category must be at most 100 characters' }),
  );

export class ProductListQueryDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({
    maxLength: 100,
    description: 'Case-insensitive substring of name or description; % and _ are literal',
  })
  @IsOptional()
  @applyDecorators(
    IsString({ message: 'search must be a string' }),
    Chars(0, 100, { message: 'search must be at most 100 characters' }),
  )
  search?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Exact category' })
  @CategoryQuery()
  category?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Exact brand' })
  @IsOptional()
  @applyDecorators(
    IsString({ message: 'brand must be a string' }),
    Chars(0, 100, { message: 'brand must be at most 100 characters' }),
  )
  brand?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'Only featured (true) or other (false) products',
  })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'is_featured must be true or false' })
  is_featured?: boolean;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @QueryDecimal()
  @applyDecorators(
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'min_price must be a number' }),
    Min(0, { message: 'min_price must not be negative' }),
  )
  min_price?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @QueryDecimal()
  @applyDecorators(
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'max_price must be a number' }),
    Min(0, { message: 'max_price must not be negative' }),
  )
  max_price?: number;

  @ApiPropertyOptional({
    enum: PRODUCT_SORTS,
    default: 'created_at',
    description: 'Ties broken by id in the same direction; unrated products last when by rating',
  })
  @IsOptional()
  @IsIn(PRODUCT_SORTS, { message: `sort must be one of ${PRODUCT_SORTS.join(', ')}` })
  sort: ProductSort = 'created_at';

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS, { message: 'order must be asc or desc' })
  order: SortOrder = 'desc';
}

export class HotProductsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10 })
  @QueryInteger()
  @applyDecorators(
    IsInt({ message: 'limit must be an integer' }),
    Min(1, { message: 'limit must be at least 1' }),
    Max(100, { message: 'limit must not be greater than 100' }),
  )
  limit = 10;

  @ApiPropertyOptional({ maxLength: 100, description: 'Only this category (exact)' })
  @CategoryQuery()
  category?: string;
}
