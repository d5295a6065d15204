import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';

export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 1000;

export class OrderItemInputDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  @applyDecorators(
    IsInt({ message: 'product_id must be a positive integer' }),
    Min(1, { message: 'product_id must be a positive integer' }),
    Max(Number.MAX_SAFE_INTEGER, { message: 'product_id must be a positive integer' }),
  )
  product_id!: number;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: MAX_QUANTITY })
  @applyDecorators(
    IsInt({ message: 'quantity must be an integer' }),
    Min(1, { message: 'quantity must be at least 1' }),
    Max(MAX_QUANTITY, { message: `quantity must not be greater than ${MAX_QUANTITY}` }),
  )
  quantity!: number;
}

const NoProductTwice = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'noProductTwice',
      validator: {
        validate: (items: unknown): boolean => {
          if (!Array.isArray(items)) return true;
          const ids = items.map(
            (item: unknown) => (item as { product_id?: unknown } | null)?.product_id,
          );
          return new Set(ids).size === ids.length;
        },
      },
    },
    options,
  );

export class CreateOrderDto {
  @ApiProperty({ type: [OrderItemInputDto], minItems: 1, maxItems: MAX_ITEMS })
  @applyDecorators(
    IsArray({ message: 'items must be an array' }),
    ArrayMinSize(1, { message: `items must contain 1 to ${MAX_ITEMS} items` }),
    ArrayMaxSize(MAX_ITEMS, { message: `items must contain 1 to ${MAX_ITEMS} items` }),
    NoProductTwice({ message: 'items must not name a product twice' }),
  )
  @ValidateNested({ each: true })
  @Type(() => OrderItemInputDto)
  items!: OrderItemInputDto[];
}
