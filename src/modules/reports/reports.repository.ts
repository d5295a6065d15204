import { Injectable } from '@nestjs/common';
import type { Db } from '../../infra/database/database.js';

export interface SalesTotalsRow {
  /** NUMERIC as exact decimal text. */
  total_sales: string;
  total_orders: number;
}

export interface TopProductRow {
  product_id: number;
  name: string;
  quantity: number;
}

/** Paid-for orders placed from day $1 to day $2 (UTC, both inclusive). */
const sold = (alias: string): string =>
  `${alias}.status IN ('paid', 'shipped', 'completed')
   AND ${alias}.created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'
   AND ${alias}.created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`;

@Injectable()
export class ReportsRepository {
  async salesTotals(db: Db, startDate: string, endDate: string): Promise<SalesTotalsRow> {
    const { rows } = await db.query<SalesTotalsRow>(
      `SELECT coalesce(sum(total_amount), 0)::text AS total_sales, count(*) AS total_orders
         FROM orders o WHERE ${sold('o')}`,
      [startDate, endDate],
    );
    return rows[0] ?? { total_sales: '0', total_orders: 0 };
  }

  /** The ten products with the most units sold, ties by id. */
  async topProducts(db: Db, startDate: string, endDate: string): Promise<TopProductRow[]> {
    const { rows } = await db.query<TopProductRow>(
      `SELECT i.product_id, p.name, sum(i.quantity)::int AS quantity
         FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id
        WHERE ${sold('o')}
        GROUP BY i.product_id, p.name ORDER BY quantity DESC, i.product_id LIMIT 10`,
      [startDate, endDate],
    );
    return rows;
  }
}
