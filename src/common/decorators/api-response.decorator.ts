import { applyDecorators, HttpStatus, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ErrorResponseDto, PageMetaDto, SuccessEnvelopeDto } from '../dto/envelope.dto.js';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (see errors)',
  401: 'Missing, invalid, expired or revoked access token',
  403: 'Authenticated but not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body larger than 1 MB',
  422: 'Well-formed but not processable',
  429: 'Rate limit exceeded (see Retry-After)',
  503: 'A dependency is unavailable; retry',
};

/** Documents error responses with the contract's error body. */
export const ApiErrors = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        schema: { $ref: getSchemaPath(ErrorResponseDto) },
      }),
    ),
  );

interface EnvelopeOptions {
  status?: number;
  description?: string;
  /** data is an array of the model */
  isArray?: boolean;
  /**
   * data is a page {items, total, page, page_size, total_pages} of the model; `keyset`: such a
   * page with next_cursor, or by cursor {items, page_size, next_cursor} without the counts
   */
  paged?: boolean | 'keyset';
}

const NEXT_CURSOR: SchemaObject = {
  type: 'string',
  nullable: true,
  description: 'The cursor of the next page (pass it as cursor); null on the last page',
};

/** By page: the page's counts and next_cursor. By cursor: no total, page or total_pages. */
const keysetPageSchema = (ref: ReferenceObject): SchemaObject => ({
  type: 'object',
  required: ['items', 'page_size', 'next_cursor'],
  properties: {
    items: { type: 'array', items: ref },
    page_size: { type: 'integer', example: 20 },
    next_cursor: NEXT_CURSOR,
    total: { type: 'integer', example: 57, description: 'Only when paging by page' },
    page: { type: 'integer', example: 1, description: 'Only when paging by page' },
    total_pages: { type: 'integer', example: 3, description: 'Only when paging by page' },
  },
});

const dataSchema = (
  model: Type | undefined,
  options: EnvelopeOptions,
): SchemaObject | ReferenceObject => {
  if (!model) return { type: 'object', nullable: true };
  const ref = { $ref: getSchemaPath(model) };
  if (options.paged === 'keyset') return keysetPageSchema(ref);
  if (options.paged) {
    return {
      allOf: [
        { $ref: getSchemaPath(PageMetaDto) },
        {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: ref } },
        },
      ],
    };
  }
  return options.isArray ? { type: 'array', items: ref } : ref;
};

/** Documents a success response as the envelope {code, message, data, timestamp} around a model. */
export const ApiEnvelope = (
  model: Type | undefined,
  options: EnvelopeOptions = {},
): MethodDecorator =>
  applyDecorators(
    ApiExtraModels(SuccessEnvelopeDto, PageMetaDto, ...(model ? [model] : [])),
    ApiResponse({
      status: options.status ?? HttpStatus.OK,
      description: options.description ?? 'Success',
      schema: {
        allOf: [
          { $ref: getSchemaPath(SuccessEnvelopeDto) },
          { type: 'object', required: ['data'], properties: { data: dataSchema(model, options) } },
        ],
      },
    }),
  );

/** Documents a 204 answer, which has no body. */
export const ApiNoContent = (description = 'Done; no body'): MethodDecorator =>
  ApiResponse({ status: HttpStatus.NO_CONTENT, description });
