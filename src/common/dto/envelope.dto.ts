import { ApiProperty } from '@nestjs/swagger';

export class SuccessEnvelopeDto {
  @ApiProperty({ type: 'integer', example: 200, description: 'Equals the HTTP status' })
  code!: number;

  @ApiProperty({ example: 'success' })
  message!: string;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z', format: 'date-time' })
  timestamp!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 400, description: 'Equals the HTTP status' })
  code!: number;

  @ApiProperty({ example: 'Validation failed' })
  message!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    example: { price: 'price must be a positive number' },
    description: 'Field name to message, or null',
  })
  errors!: Record<string, string> | null;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ example: '/api/products' })
  path!: string;

  @ApiProperty({ example: '3f0e8f4e-5c1d-4d7e-9a43-4d1f5b0c2a77' })
  request_id!: string;
}

export class PageMetaDto {
  @ApiProperty({ type: 'integer', example: 57 })
  total!: number;

  @ApiProperty({ type: 'integer', example: 1 })
  page!: number;

  @ApiProperty({ type: 'integer', example: 20 })
  page_size!: number;

  @ApiProperty({ type: 'integer', example: 3 })
  total_pages!: number;
}
