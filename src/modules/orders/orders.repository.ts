import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../../infra/database/database.js';
import type { OrderListFilter } from './order-list-filter.js';
import type { CancelReason, OrderStatus } from './order.entity.js';

/** Orders and their items as PostgreSQL returns them; OrderResponseDto.from maps them. */
export interface OrderRow {
  id: number;
  user_id: number;
  status: OrderStatus;
  /** NUMERIC(12,2) as exact decimal text. */
  total_amount: string;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
  paid_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: CancelReason | null;
}

export interface OrderItemRow {
  order_id: number;
  product_id: number;
  product_name: string;
  quantity: number;
  unit_price: string;
  subtotal: string;
}

export interface TransitionChange {
  /** The status the request saw; the row changes only if it still has it. */
  from: OrderStatus;
  to: OrderStatus;
  cancelReason: CancelReason | undefined;
  afterDeadline: boolean;
}

export const ORDER_COLUMNS =
  'id, user_id, status, total_amount, created_at, updated_at, expires_at, paid_at, cancelled_at, cancel_reason';
export const ITEM_COLUMNS = 'order_id, product_id, product_name, quantity, unit_price, subtotal';

@Injectable()
export class OrdersRepository {
  async findById(db: Db, id: number): Promise<OrderRow | null> {
    const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** The items of many orders in one query (no N+1), in the order they were inserted. */
  async itemsOf(db: Db, orderIds: readonly number[]): Promise<Map<number, OrderItemRow[]>> {
    const byOrder = new Map<number, OrderItemRow[]>(orderIds.map((id) => [id, []]));
    if (orderIds.length === 0) return byOrder;
    const { rows } = await db.query<OrderItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM order_items WHERE order_id = ANY($1::bigint[]) ORDER BY order_id, id`,
      [orderIds],
    );
    for (const row of rows) byOrder.get(row.order_id)?.push(row);
    return byOrder;
  }

  /** A page of the orders the filter names, newest first (ties by id). */
  async list(
    db: Db,
    filter: OrderListFilter,
    limit: number,
    offset: number,
  ): Promise<{ rows: OrderRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.userId !== undefined) where.push(`user_id = ${param(filter.userId)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    if (filter.createdFrom) where.push(`created_at >= ${param(filter.createdFrom)}`);
    if (filter.createdBefore) where.push(`created_at < ${param(filter.createdBefore)}`);
    if (filter.minTotal !== undefined) where.push(`total_amount >= ${param(filter.minTotal)}`);
    if (filter.maxTotal !== undefined) where.push(`total_amount <= ${param(filter.maxTotal)}`);
    const condition = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const filterParams = [...params];
    const [page, count] = await Promise.all([
      db.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders ${condition}
          ORDER BY created_at DESC, id DESC LIMIT ${param(limit)} OFFSET ${param(offset)}`,
        params,
      ),
      db.query<{ total: number }>(
        `SELECT count(*) AS total FROM orders ${condition}`,
        filterParams,
      ),
    ]);
    return { rows: page.rows, total: count.rows[0]?.total ?? 0 };
  }

  /** Whether the user has an order in this status that holds the product. */
  async hasOrderOf(
    db: Db,
    userId: number,
    productId: number,
    status: OrderStatus,
  ): Promise<boolean> {
    const { rows } = await db.query<{ found: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id
          WHERE o.user_id = $1 AND i.product_id = $2 AND o.status = $3) AS found`,
      [userId, productId, status],
    );
    return rows[0]?.found === true;
  }

  async overdueIds(db: Db, limit: number): Promise<number[]> {
    const { rows } = await db.query<{ id: number }>(
      `SELECT id FROM orders WHERE status = 'pending' AND expires_at <= now() ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Applies a state transition as one conditional UPDATE: it changes the row only if the order
   * still has the status the request saw (and, for the timeout, is past its deadline). Returns
   * the updated order, or null if another transition got there first.
   */
  async transition(tx: Tx, id: number, change: TransitionChange): Promise<OrderRow | null> {
    const { rows } = await tx.query<OrderRow>(
      `UPDATE orders SET status = $2::varchar, updated_at = now(),
              paid_at = CASE WHEN $2::varchar = 'paid' THEN now() ELSE paid_at END,
              cancelled_at = CASE WHEN $2::varchar = 'cancelled' THEN now() ELSE cancelled_at END,
              cancel_reason = CASE WHEN $2::varchar = 'cancelled' THEN $4::varchar ELSE cancel_reason END
        WHERE id = $1 AND status = $3 AND (NOT $5 OR expires_at <= now())
        RETURNING ${ORDER_COLUMNS}`,
      [id, change.to, change.from, change.cancelReason ?? null, change.afterDeadline],
    );
    return rows[0] ?? null;
  }
}
