import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
export const MAX_PAGE = 1_000_000;

export class PageQueryDto {
  // Initialised fields have no declared type, so Swagger's design type would be Object.
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @Type(() => Number)
  @IsInt({ message: 'page must be an integer' })
  @Min(1, { message: 'page must be at least 1' })
  @Max(MAX_PAGE, { message: `page must not be greater than ${MAX_PAGE}` })
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @Type(() => Number)
  @IsInt({ message: 'page_size must be an integer' })
  @Min(1, { message: 'page_size must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `page_size must not be greater than ${MAX_PAGE_SIZE}` })
  page_size = 20;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
}

export const offsetOf = (query: PageQueryDto): number => (query.page - 1) * query.page_size;

export function toPage<T>(items: T[], total: number, query: PageQueryDto): Page<T> {
  return {
    items,
    total,
    page: query.page,
    page_size: query.page_size,
    total_pages: Math.ceil(total / query.page_size),
  };
}
