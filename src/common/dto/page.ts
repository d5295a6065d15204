import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { validationFailed } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH, type Position } from '../paging/cursor.js';
import { QueryInteger } from '../validation/query-numbers.js';
import { Chars } from '../validation/text-length.js';

export const MAX_PAGE_SIZE = 100;
export const MAX_PAGE = 1_000_000;

export class PageQueryDto {
  // Left undefined when absent (1 is assumed), so that a list can tell `page` was sent.
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @QueryInteger()
  @applyDecorators(
    IsInt({ message: 'page must be an integer' }),
    Min(1, { message: 'page must be at least 1' }),
    Max(MAX_PAGE, { message: `page must not be greater than ${MAX_PAGE}` }),
  )
  page?: number;

  // Initialised fields have no declared type, so Swagger's design type would be Object.
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @QueryInteger()
  @applyDecorators(
    IsInt({ message: 'page_size must be an integer' }),
    Min(1, { message: 'page_size must be at least 1' }),
    Max(MAX_PAGE_SIZE, { message: `page_size must not be greater than ${MAX_PAGE_SIZE}` }),
  )
  page_size = 20;
}

/** A list that can also be walked by keyset (`cursor`), whose cost does not grow with depth. */
export class KeysetPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    maxLength: MAX_CURSOR_LENGTH,
    description:
      "Instead of page: the previous page's next_cursor. The page then has next_cursor and no total",
  })
  @IsOptional()
  @applyDecorators(
    IsString({ message: 'cursor must be a string' }),
    Chars(0, MAX_CURSOR_LENGTH, { message: 'cursor is not a cursor of this list' }),
  )
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
  /** On keyset lists: the cursor of the next page, null on the last. */
  next_cursor?: string | null;
}

/** A page reached by cursor: no total (counting would cost what keyset paging saves). */
export interface KeysetPage<T> {
  items: T[];
  page_size: number;
  next_cursor: string | null;
}

/** What a keyset list answers: a numbered page (with next_cursor) or a page by cursor. */
export type ListPage<T> = Page<T> | KeysetPage<T>;

export const offsetOf = (query: PageQueryDto): number => ((query.page ?? 1) - 1) * query.page_size;

export function toPage<T>(items: T[], total: number, query: PageQueryDto): Page<T> {
  return {
    items,
    total,
    page: query.page ?? 1,
    page_size: query.page_size,
    total_pages: Math.ceil(total / query.page_size),
  };
}

/**
 * Where a keyset list starts: after the cursor's position, or at the page's offset. `scope`
 * names the list and its order, so a cursor of another list or sort is refused (400).
 */
export type ListStart = { after: Position } | { offset: number };

export function listStart(query: KeysetPageQueryDto, scope: string): ListStart {
  if (query.cursor === undefined) return { offset: offsetOf(query) };
  if (query.page !== undefined) {
    throw validationFailed({ cursor: 'cursor and page cannot be used together' });
  }
  const after = decodeCursor(scope, query.cursor);
  if (!after) throw validationFailed({ cursor: 'cursor is not a cursor of this list' });
  return { after };
}

/**
 * The answer of a keyset list from `page_size + 1` rows read from `start` (the extra row only
 * tells whether a next page exists). `total` is counted only when paging by number.
 */
export function toKeysetPage<R, T>(
  rows: readonly R[],
  query: KeysetPageQueryDto,
  scope: string,
  position: (row: R) => Position,
  toItem: (row: R) => T,
  total: number | undefined,
): ListPage<T> {
  const shown = rows.slice(0, query.page_size);
  const last = shown.at(-1);
  const next_cursor =
    rows.length > query.page_size && last ? encodeCursor(scope, position(last)) : null;
  const items = shown.map(toItem);
  if (total === undefined) return { items, page_size: query.page_size, next_cursor };
  return { ...toPage(items, total, query), next_cursor };
}
