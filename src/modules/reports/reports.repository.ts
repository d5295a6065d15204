import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toJsonNumber } from '../../common/money.js';
import { sql } from '../../infra/database/sql.js';
import type { SalesReportDto } from './dto/sales-report.dto.js';

/** Paid-for orders placed from day $1 to day $2 (UTC, both inclusive). */
const sold = (alias: string): string =>
  `${alias}.status IN ('paid', 'shipped', 'completed')
   AND ${alias}.created_at >= $1::date AND ${alias}.created_at < $2::date + 1`;

@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async sales(startDate: string, endDate: string): Promise<SalesReportDto> {
    const tx = this.dataSource.manager;
    const [totals, top] = await Promise.all([
      sql<{ total_sales: string; total_orders: number }>(
        tx,
        `SELECT coalesce(sum(total_amount), 0)::text AS total_sales, count(*) AS total_orders
           FROM orders o WHERE ${sold('o')}`,
        [startDate, endDate],
      ),
      sql<{ product_id: number; name: string; quantity: number }>(
        tx,
        `SELECT i.product_id, p.name, sum(i.quantity)::int AS quantity
           FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id
          WHERE ${sold('o')}
          GROUP BY i.product_id, p.name ORDER BY quantity DESC, i.product_id LIMIT 10`,
        [startDate, endDate],
      ),
    ]);
    return {
      total_sales: toJsonNumber(totals.rows[0]?.total_sales ?? '0'),
      total_orders: totals.rows[0]?.total_orders ?? 0,
      top_products: top.rows,
    };
  }
}
