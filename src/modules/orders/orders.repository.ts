import { Injectable } from '@nestjs/common';
import type { ListStart } from '../../common/dto/page.js';
import type { Db, Tx } from '../../infra/database/database.js';
import { after, keyText, orderBy, type KeysetOrder } from '../../infra/database/keyset.js';
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

/** A listed order with its sort value as the exact text a cursor carries. */
export type ListedOrder = OrderRow & { sort_key: string | null };

/** Every order list's order (orders_created_idx, orders_status_created_idx). */
const NEWEST_FIRST: KeysetOrder = {
  column: 'created_at',
  kind: 'timestamp',
  direction: 'desc',
  id: 'id',
};

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
  /** The order's payment deadline must be still ahead, or past already. */
  deadline: 'before' | 'after' | undefined;
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

  /**
   * A page of the orders the filter names, newest first (ties by id), one row more than the
   * limit (it tells whether a next page exists); counted only when paging by number.
   */
  async list(
    db: Db,
    filter: OrderListFilter,
    limit: number,
    start: ListStart,
  ): Promise<{ rows: ListedOrder[]; total: number | undefined }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.userId !== undefined) where.push(`user_id = ${param(filter.userId)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    if (filter.createdFrom) where.push(`created_at >= ${param(filter.createdFrom)}`);
    if (filter.createdBefore) where.push(`created_at < ${param(filter.createdBefore)}`);
    if (filter.minTotal !== undefined) where.push(`total_amount >= ${param(filter.minTotal)}`);
    if (filter.maxTotal !== undefined) where.push(`total_amount <= ${param(filter.maxTotal)}`);
    const filterParams = [...params];
    const condition = (conditions: string[]): string =>
      conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const seek = 'after' in start ? [after(NEWEST_FIRST, start.after, param)] : [];
    const offset = 'offset' in start ? ` OFFSET ${param(start.offset)}` : '';
    const [page, count] = await Promise.all([
      db.query<ListedOrder>(
        `SELECT ${ORDER_COLUMNS}, ${keyText(NEWEST_FIRST)} AS sort_key FROM orders
          ${condition([...where, ...seek])}
          ORDER BY ${orderBy(NEWEST_FIRST)} LIMIT ${param(limit + 1)}${offset}`,
        params,
      ),
      'offset' in start
        ? db.query<{ total: number }>(
            `SELECT count(*) AS total FROM orders ${condition(where)}`,
            filterParams,
          )
        : undefined,
    ]);
    return { rows: page.rows, total: count && (count.rows[0]?.total ?? 0) };
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
   * still has the status the request saw (and is on the side of its deadline the rule asks for,
   * by the database's clock). Returns
   * the updated order, or null if another transition got there first.
   */
  async transition(tx: Tx, id: number, change: TransitionChange): Promise<OrderRow | null> {
    const { rows } = await tx.query<OrderRow>(
      `UPDATE orders SET status = $2::varchar, updated_at = now(),
              paid_at = CASE WHEN $2::varchar = 'paid' THEN now() ELSE paid_at END,
              cancelled_at = CASE WHEN $2::varchar = 'cancelled' THEN now() ELSE cancelled_at END,
              cancel_reason = CASE WHEN $2::varchar = 'cancelled' THEN $4::varchar ELSE cancel_reason END
        WHERE id = $1 AND status = $3
          AND CASE $5::text WHEN 'after' THEN expires_at <= now()
                            WHEN 'before' THEN expires_at > now() ELSE true END
        RETURNING ${ORDER_COLUMNS}`,
      [id, change.to, change.from, change.cancelReason ?? null, change.deadline ?? null],
    );
    return rows[0] ?? null;
  }
}
