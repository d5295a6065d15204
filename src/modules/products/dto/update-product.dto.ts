import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation/optional.js';
import {
  CategoryField,
  DescriptionField,
  MAX_PRICE,
  MAX_STOCK,
  NameField,
  PriceField,
  StockField,
} from './create-product.dto.js';

/** PATCH: any subset of the create body; null clears description or category only. */
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
}
