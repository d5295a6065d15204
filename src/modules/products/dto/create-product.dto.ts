import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export const MAX_PRICE = 1_000_000;
export const MAX_STOCK = 1_000_000_000;

/** Field rules shared by create, replace (PUT) and patch. */
export const NameField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'name must be a string' }),
    Length(1, 200, { message: 'name must be 1 to 200 characters' }),
    Matches(/\S/, { message: 'name must not be blank' }),
  );

export const DescriptionField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'description must be a string' }),
    MaxLength(5000, { message: 'description must be at most 5000 characters' }),
  );

export const PriceField = (): PropertyDecorator =>
  applyDecorators(
    IsNumber(
      { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false },
      { message: 'price must be a number with at most two decimals' },
    ),
    Min(0.01, { message: 'price must be a positive number' }),
    Max(MAX_PRICE, { message: `price must not be greater than ${MAX_PRICE}` }),
  );

export const StockField = (): PropertyDecorator =>
  applyDecorators(
    IsInt({ message: 'stock must be an integer' }),
    Min(0, { message: 'stock must not be negative' }),
    Max(MAX_STOCK, { message: `stock must not be greater than ${MAX_STOCK}` }),
  );

export const CategoryField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'category must be a string' }),
    Length(1, 100, { message: 'category must be 1 to 100 characters' }),
  );

export class CreateProductDto {
  @ApiProperty({ example: 'Espresso cup', minLength: 1, maxLength: 200 })
  @NameField()
  name!: string;

  // string | null has the design type Object: the schema type is explicit.
  @ApiPropertyOptional({
    type: String,
    example: 'Porcelain, 80 ml',
    maxLength: 5000,
    nullable: true,
  })
  @IsOptional()
  @DescriptionField()
  description?: string | null;

  @ApiProperty({
    example: 12.5,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_PRICE,
    description: 'At most two decimals',
  })
  @PriceField()
  price!: number;

  @ApiProperty({ type: 'integer', example: 100, minimum: 0, maximum: MAX_STOCK })
  @StockField()
  stock!: number;

  @ApiPropertyOptional({
    type: String,
    example: 'kitchen',
    minLength: 1,
    maxLength: 100,
    nullable: true,
  })
  @IsOptional()
  @CategoryField()
  category?: string | null;
}
