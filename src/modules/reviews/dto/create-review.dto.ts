import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Chars } from '../../../common/validation/text-length.js';

/** Text is plain text: stored and returned exactly as sent, never escaped or interpreted. */
export class CreateReviewDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, example: 5 })
  @applyDecorators(
    IsInt({ message: 'rating must be an integer from 1 to 5' }),
    Min(1, { message: 'rating must be an integer from 1 to 5' }),
    Max(5, { message: 'rating must be an integer from 1 to 5' }),
  )
  rating!: number;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 200, nullable: true })
  @IsOptional()
  @applyDecorators(
    IsString({ message: 'title must be a string' }),
    Chars(1, 200, { message: 'title must be 1 to 200 characters' }),
  )
  title?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 5000, nullable: true })
  @IsOptional()
  @applyDecorators(
    IsString({ message: 'body must be a string' }),
    Chars(0, 5000, { message: 'body must be at most 5000 characters' }),
  )
  body?: string | null;
}
