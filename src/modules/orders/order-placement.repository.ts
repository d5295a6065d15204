import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../../infra/database/database.js';
import { violatedCheck } from '../../infra/database/pg-errors.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { insertOutbox, outboxColumns } from '../../infra/queue/outbox.repository.js';
import { PRODUCT_STOCK_CHECK } from '../products/index.js';
import { lockProductsInIdOrder } from '../products/index.js';
import { CUSTOMER_HOLDS_CAPS_CHECK } from './customer-hold.entity.js';
import {
  ITEM_COLUMNS,
  ORDER_COLUMNS,
  type OrderItemRow,
  type OrderRow,
} from './orders.repository.js';
import type { OrderStatus } from './order.entity.js';

/** A product as an order is priced from. */
export interface OrderableProductRow {
  id: number;
  name: string;
  price: string;
  stock: number;
  is_active: boolean;
}

/** What deciding an order needs, read in one statement without a lock. */
export interface PlacementFacts {
  /** The id the order will have, drawn from the orders' sequence. */
  orderId: number;
  /** The named products that exist, active or not. */
  products: OrderableProductRow[];
  /** The customer's pending orders and the units in them. */
  pending: { orders: number; units: number };
}

export type NewOrderItem = Omit<OrderItemRow, 'order_id'>;

/** An order as TypeScript decided it (decideOrder): place() writes exactly this. */
export interface NewOrder {
  id: number;
  user_id: number;
  total_amount: string;
  created_at: Date;
  expires_at: Date;
  items: NewOrderItem[];
  /** Each line's product's list price as read: the write is refused if it changed since. */
  listed_prices: string[];
  /** Units in the order, added to the customer's pending units. */
  units: number;
  /** What the customer's pending counters may reach with this order; null: no cap. */
  caps: { orders: number | null; units: number | null };
}

export interface PlacedOrder {
  order: OrderRow;
  items: OrderItemRow[];
}

/** The CHECKs that refuse a placement whose facts changed after they were read. */
const PLACEMENT_GUARDS = new Set([PRODUCT_STOCK_CHECK, CUSTOMER_HOLDS_CAPS_CHECK]);

// The identity sequence of orders.id: a placement knows its order's id before it writes.
const FACTS = `
WITH next AS MATERIALIZED (SELECT nextval('orders_id_seq') AS order_id)
SELECT n.order_id,
       coalesce(h.pending_orders, 0) AS pending_orders, coalesce(h.pending_units, 0) AS pending_units,
       p.id, p.name, p.price, p.stock, p.is_active
  FROM next n
  LEFT JOIN customer_holds h ON h.user_id = $2
  LEFT JOIN products p ON p.id = ANY($1::bigint[])`;

interface FactsRow {
  order_id: number;
  pending_orders: number;
  pending_units: number;
  id: number | null;
  name: string;
  price: string;
  stock: number;
  is_active: boolean;
}

/*
 * Writes an order exactly as decided, in one statement (atomic on its own, so it needs no
 * transaction): the products locked in id order; their stock taken, which CHECK (stock >= 0)
 * refuses if it is short now; and, if a product is no longer at the price it was priced at or
 * is off sale, its stock driven below zero so that the same CHECK refuses the whole statement.
 * Then the customer's pending counters raised, which CHECK refuses past the caps decided (they
 * are written with the counters); taken after the stock (the aggregate waits for it), so locks
 * are always products first, then the customer. Then the order, its items and its events.
 */
const PLACE = `
WITH lines AS (
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::numeric[], $4::varchar[], $5::numeric[],
                       $16::numeric[])
    WITH ORDINALITY AS l(product_id, quantity, unit_price, product_name, subtotal, listed_price, n)),
locked AS MATERIALIZED (${lockProductsInIdOrder('$1')}),
taken AS (
  UPDATE products p
     SET stock = p.stock - CASE WHEN p.price = l.listed_price AND p.is_active
                                THEN l.quantity ELSE p.stock + 1 END,
         updated_at = now()
    FROM locked k JOIN lines l ON l.product_id = k.id
   WHERE p.id = k.id
  RETURNING p.id),
held AS (
  INSERT INTO customer_holds AS h
         (user_id, pending_orders, pending_units, max_pending_orders, max_pending_units)
  SELECT $7::bigint, 1, $11::int, $12::int, $13::int FROM (SELECT count(*) FROM taken) AS after_stock
  ON CONFLICT (user_id) DO UPDATE
     SET pending_orders = h.pending_orders + 1,
         pending_units = h.pending_units + EXCLUDED.pending_units,
         max_pending_orders = EXCLUDED.max_pending_orders,
         max_pending_units = EXCLUDED.max_pending_units),
placed AS (
  INSERT INTO orders (id, user_id, status, total_amount, created_at, updated_at, expires_at)
  OVERRIDING SYSTEM VALUE VALUES ($6, $7, 'pending', $8, $9, $9, $10)
  RETURNING ${ORDER_COLUMNS}),
items AS (
  INSERT INTO order_items (order_id, product_id, product_name, quantity, unit_price, subtotal)
  SELECT $6, product_id, product_name, quantity, unit_price, subtotal FROM lines ORDER BY n
  RETURNING id AS item_id, ${ITEM_COLUMNS}),
events AS (${insertOutbox('$14', '$15')})
SELECT o.*, i.* FROM placed o JOIN items i ON i.order_id = o.id ORDER BY i.item_id`;

type PlacedRow = OrderRow & OrderItemRow & { item_id: number };

/**
 * Placing an order, in two statements: the facts it is decided on, read without a lock, and
 * the write of what was decided, which refuses it when those facts changed in between. Also
 * the other side of the customer's pending counters that the write raises.
 */
@Injectable()
export class OrderPlacementRepository {
  /** The next order's id, the products it names and the customer's pending counters. */
  async facts(db: Db, userId: number, productIds: readonly number[]): Promise<PlacementFacts> {
    const { rows } = await db.query<FactsRow>(FACTS, [productIds, userId]);
    const first = rows[0];
    if (!first) throw new Error('the placement facts query returned no row');
    const products = rows.flatMap(({ id, name, price, stock, is_active }) =>
      id === null ? [] : [{ id, name, price, stock, is_active }],
    );
    return {
      orderId: first.order_id,
      products,
      pending: { orders: first.pending_orders, units: first.pending_units },
    };
  }

  /**
   * Writes the order as decided, with its events, in one statement (see PLACE), and answers the
   * rows as stored. Null when a CHECK refused it because the facts it was decided on changed
   * (stock taken, a price or the catalogue changed, the customer's counters moved): nothing was
   * written, and the order should be decided again. Inside a transaction, a refusal has aborted
   * it; roll it back before deciding again.
   */
  async place(
    db: Db,
    order: NewOrder,
    events: readonly OutboxEvent[],
  ): Promise<PlacedOrder | null> {
    const { items } = order;
    let rows: PlacedRow[];
    try {
      ({ rows } = await db.query<PlacedRow>(PLACE, [
        items.map((item) => item.product_id),
        items.map((item) => item.quantity),
        items.map((item) => item.unit_price),
        items.map((item) => item.product_name),
        items.map((item) => item.subtotal),
        order.id,
        order.user_id,
        order.total_amount,
        order.created_at,
        order.expires_at,
        order.units,
        order.caps.orders,
        order.caps.units,
        ...outboxColumns(events),
        order.listed_prices,
      ]));
    } catch (error) {
      if (PLACEMENT_GUARDS.has(violatedCheck(error) ?? '')) return null;
      throw error;
    }
    const first = rows[0];
    if (!first) throw new Error('the order placement returned no row');
    return {
      order: {
        id: first.id,
        user_id: first.user_id,
        status: first.status,
        total_amount: first.total_amount,
        created_at: first.created_at,
        updated_at: first.updated_at,
        expires_at: first.expires_at,
        paid_at: first.paid_at,
        cancelled_at: first.cancelled_at,
        cancel_reason: first.cancel_reason,
      },
      items: rows.map((row) => ({
        order_id: row.order_id,
        product_id: row.product_id,
        product_name: row.product_name,
        quantity: row.quantity,
        unit_price: row.unit_price,
        subtotal: row.subtotal,
      })),
    };
  }

  /**
   * Takes an order that left `pending` off its customer's pending counters, in the transaction
   * that changed it; after the products' locks, as every writer takes them. Never below zero:
   * an order placed by a version that did not count yet (during a rolling update) was never
   * added.
   */
  async releaseHold(tx: Tx, userId: number, units: number): Promise<void> {
    await tx.query(
      `UPDATE customer_holds
          SET pending_orders = greatest(pending_orders - 1, 0),
              pending_units = greatest(pending_units - $2, 0)
        WHERE user_id = $1`,
      [userId, units],
    );
  }

  /**
   * Customers whose counters disagree with the orders they hold in `status` (pending): only
   * after a rolling update from a version that did not count, or a bug. One snapshot, so work
   * in flight (order and counters commit together) never looks like drift.
   */
  async drifted(db: Db, status: OrderStatus, limit: number): Promise<number[]> {
    const { rows } = await db.query<{ user_id: number }>(
      `WITH actual AS (
         SELECT o.user_id, count(DISTINCT o.id) AS orders, sum(i.quantity) AS units
           FROM orders o JOIN order_items i ON i.order_id = o.id
          WHERE o.status = $1 GROUP BY o.user_id),
       counted AS (
         SELECT user_id, pending_orders, pending_units FROM customer_holds
          WHERE pending_orders > 0 OR pending_units > 0)
       SELECT coalesce(a.user_id, c.user_id) AS user_id
         FROM actual a FULL JOIN counted c ON c.user_id = a.user_id
        WHERE coalesce(a.orders, 0) <> coalesce(c.pending_orders, 0)
           OR coalesce(a.units, 0) <> coalesce(c.pending_units, 0)
        LIMIT $2`,
      [status, limit],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * Sets one customer's counters to the orders they hold in `status`, exactly: the counter's
   * row is locked first, so the count, a statement of its own, sees every order whose counter
   * change committed, and none whose change is still waiting for the lock. The stored caps are
   * cleared (the next placement writes its own), so a recount above them is not refused.
   */
  async recount(tx: Tx, userId: number, status: OrderStatus): Promise<void> {
    await tx.query(
      `INSERT INTO customer_holds AS h (user_id) VALUES ($1)
       ON CONFLICT (user_id) DO UPDATE SET pending_orders = h.pending_orders`,
      [userId],
    );
    await tx.query(
      `UPDATE customer_holds h
          SET pending_orders = a.orders, pending_units = a.units,
              max_pending_orders = NULL, max_pending_units = NULL
         FROM (SELECT count(DISTINCT o.id) AS orders, coalesce(sum(i.quantity), 0) AS units
                 FROM orders o JOIN order_items i ON i.order_id = o.id
                WHERE o.user_id = $1 AND o.status = $2) a
        WHERE h.user_id = $1`,
      [userId, status],
    );
  }
}
