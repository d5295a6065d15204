import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { IsMoneyAmount } from '../../../common/validation/money.js';
import { OmittableNotNull } from '../../../common/validation/optional.js';
import { Chars } from '../../../common/validation/text-length.js';

export const MAX_PRICE = 1_000_000;
export const MAX_STOCK = 1_000_000_000;
export const MAX_IMAGE_URL = 2048;
export const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Field rules shared by create, replace (PUT) and patch. */
export const NameField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'name must be a string' }),
    Chars(1, 200, { message: 'name must be 1 to 200 characters' }),
    Matches(/\S/, { message: 'name must not be blank' }),
  );

export const DescriptionField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'description must be a string' }),
    Chars(0, 5000, { message: 'description must be at most 5000 characters' }),
  );

const MoneyField = (field: string): PropertyDecorator =>
  applyDecorators(
    IsMoneyAmount(`${field} must be a number with at most two decimals`),
    Min(0.01, { message: `${field} must be a positive number` }),
    Max(MAX_PRICE, { message: `${field} must not be greater than ${MAX_PRICE}` }),
  );

export const PriceField = (): PropertyDecorator => MoneyField('price');

/** The list price a discount is shown against; that it is at least the price is checked later. */
export const OriginalPriceField = (): PropertyDecorator => MoneyField('original_price');

export const SkuField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'sku must be a string' }),
    Chars(1, 64, { message: 'sku must be 1 to 64 characters' }),
    Matches(SKU, {
      message: 'sku must be letters, digits and . _ / - (starting with one of the first two)',
    }),
  );

export const BrandField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'brand must be a string' }),
    Chars(1, 100, { message: 'brand must be 1 to 100 characters' }),
    Matches(/\S/, { message: 'brand must not be blank' }),
  );

export const ImageUrlField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'image_url must be a string' }),
    Chars(0, MAX_IMAGE_URL, {
      message: `image_url must be at most ${MAX_IMAGE_URL} characters`,
    }),
    IsUrl(
      { protocols: ['https'], require_protocol: true, require_tld: true, disallow_auth: true },
      { message: 'image_url must be an https URL' },
    ),
  );

export const FeaturedField = (): PropertyDecorator =>
  applyDecorators(OmittableNotNull(), IsBoolean({ message: 'is_featured must be true or false' }));

export const StockField = (): PropertyDecorator =>
  applyDecorators(
    IsInt({ message: 'stock must be an integer' }),
    Min(0, { message: 'stock must not be negative' }),
    Max(MAX_STOCK, { message: `stock must not be greater than ${MAX_STOCK}` }),
  );

export const CategoryField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'category must be a string' }),
    Chars(1, 100, { message: 'category must be 1 to 100 characters' }),
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

  @ApiPropertyOptional({
    type: String,
    example: 'CUP-080-WHT',
    minLength: 1,
    maxLength: 64,
    pattern: SKU.source,
    nullable: true,
    description: 'Unique among products on sale, without regard to case (409 otherwise)',
  })
  @IsOptional()
  @SkuField()
  sku?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'Acme',
    minLength: 1,
    maxLength: 100,
    nullable: true,
  })
  @IsOptional()
  @BrandField()
  brand?: string | null;

  @ApiPropertyOptional({
    type: Number,
    example: 15,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_PRICE,
    nullable: true,
    description: 'List price a discount is shown against: at least price, at most two decimals',
  })
  @IsOptional()
  @OriginalPriceField()
  original_price?: number | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    example: 'https://cdn.example.com/cup.jpg',
    maxLength: MAX_IMAGE_URL,
    nullable: true,
    description: 'An https URL',
  })
  @IsOptional()
  @ImageUrlField()
  image_url?: string | null;

  @ApiPropertyOptional({ type: Boolean, default: false })
  @FeaturedField()
  is_featured?: boolean;
}
