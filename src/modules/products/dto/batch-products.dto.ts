import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min } from 'class-validator';

export class BatchProductsDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 1 },
    minItems: 1,
    maxItems: 100,
    example: [3, 1, 2],
  })
  @applyDecorators(
    IsArray({ message: 'ids must be an array' }),
    ArrayMinSize(1, { message: 'ids must contain 1 to 100 ids' }),
    ArrayMaxSize(100, { message: 'ids must contain 1 to 100 ids' }),
    IsInt({ each: true, message: 'each id must be a positive integer' }),
    Min(1, { each: true, message: 'each id must be a positive integer' }),
    Max(Number.MAX_SAFE_INTEGER, { each: true, message: 'each id must be a positive integer' }),
  )
  ids!: number[];
}
