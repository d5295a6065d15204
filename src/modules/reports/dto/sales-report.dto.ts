import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { toJsonNumber } from '../../../common/money.js';
import { ISO_DATE_OR_DATE_TIME } from '../../../common/validation/iso-date.js';
import type { SalesTotalsRow, TopProductRow } from '../reports.repository.js';

/** A calendar day (YYYY-MM-DD), or an ISO date-time, which stands for its UTC day. */
const DATE = ISO_DATE_OR_DATE_TIME;

export class SalesReportRequestDto {
  @ApiProperty({
    example: '2026-01-01',
    description: 'First day, UTC, inclusive: YYYY-MM-DD, or an ISO date-time (its UTC day)',
  })
  @Matches(DATE, { message: 'start_date must be an ISO date (YYYY-MM-DD) or date-time' })
  start_date!: string;

  @ApiProperty({
    example: '2026-01-31',
    description: 'Last day, UTC, inclusive: YYYY-MM-DD, or an ISO date-time (its UTC day)',
  })
  @Matches(DATE, { message: 'end_date must be an ISO date (YYYY-MM-DD) or date-time' })
  end_date!: string;
}

export class ReportJobDto {
  @ApiProperty({ example: '42' }) job_id!: string;
}

export class TopProductDto {
  @ApiProperty({ type: 'integer' }) product_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer', description: 'Units sold' }) quantity!: number;

  static from(row: TopProductRow): TopProductDto {
    return { product_id: row.product_id, name: row.name, quantity: row.quantity };
  }
}

export class SalesReportDto {
  @ApiProperty({ example: 1234.5, description: 'Sum of paid, shipped and completed orders' })
  total_sales!: number;
  @ApiProperty({ type: 'integer', example: 17 }) total_orders!: number;
  @ApiProperty({ type: [TopProductDto] }) top_products!: TopProductDto[];

  static from(totals: SalesTotalsRow, top: readonly TopProductRow[]): SalesReportDto {
    return {
      total_sales: toJsonNumber(totals.total_sales),
      total_orders: totals.total_orders,
      top_products: top.map((row) => TopProductDto.from(row)),
    };
  }
}

export const REPORT_STATUSES = ['waiting', 'active', 'completed', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export class ReportStatusDto {
  @ApiProperty({ enum: REPORT_STATUSES }) status!: ReportStatus;
  @ApiProperty({ type: SalesReportDto, nullable: true, description: 'Present once completed' })
  result!: SalesReportDto | null;
}
