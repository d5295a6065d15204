import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation/optional.js';
import {
  BrandField,
  CategoryField,
  DescriptionField,
  FeaturedField,
  ImageUrlField,
  MAX_IMAGE_URL,
  MAX_PRICE,
  MAX_STOCK,
  NameField,
  OriginalPriceField,
  PriceField,
  SKU,
  SkuField,
  StockField,
} from './create-product.dto.js';

/**
 * PATCH: any subset of the create body; null clears the optional fields (description, category,
 * sku, brand, original_price, image_url) only.
 */
export class UpdateProductDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OmittableNotNull()
  @NameField()
  name?: string;

  @ApiPropertyOptional({ type: String, maxLength: 5000, nullable: true })
  @IsOptional()
  @DescriptionField()
  description?: string | null;

  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, maximum: MAX_PRICE })
  @OmittableNotNull()
  @PriceField()
  price?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_STOCK })
  @OmittableNotNull()
  @StockField()
  stock?: number;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 100, nullable: true })
  @IsOptional()
  @CategoryField()
  category?: string | null;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 64,
    pattern: SKU.source,
    nullable: true,
  })
  @IsOptional()
  @SkuField()
  sku?: string | null;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 100, nullable: true })
  @IsOptional()
  @BrandField()
  brand?: string | null;

  @ApiPropertyOptional({
    type: Number,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_PRICE,
    nullable: true,
    description: 'At least the price (the stored one when price is not sent)',
  })
  @IsOptional()
  @OriginalPriceField()
  original_price?: number | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    maxLength: MAX_IMAGE_URL,
    nullable: true,
  })
  @IsOptional()
  @ImageUrlField()
  image_url?: string | null;

  @ApiPropertyOptional({ type: Boolean })
  @FeaturedField()
  is_featured?: boolean;
}
