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

/** What deciding a batch needs, read in one statement without a lock (see batchFacts). */
export interface BatchFacts {
  /** One new order id per request, in the requests' order. */
  orderIds: readonly number[];
  /** The named products that exist, active or not. */
  products: readonly OrderableProductRow[];
  /** The pending counters of the customers that have any. */
  pending: ReadonlyMap<number, PlacementFacts['pending']>;
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

// The identity sequence of orders.id: a placement knows its orders' ids before it writes. Prices
// as text, exactly as stored (JSON would turn 10.50 into 10.5).
const FACTS = `
SELECT (SELECT coalesce(json_agg(nextval('orders_id_seq')), '[]'::json)
          FROM generate_series(1, $3::int)) AS order_ids,
       (SELECT coalesce(json_agg(json_build_object(
                 'user_id', user_id, 'orders', pending_orders, 'units', pending_units)), '[]'::json)
          FROM customer_holds WHERE user_id = ANY($2::bigint[])) AS pending,
       (SELECT coalesce(json_agg(json_build_object(
                 'id', id, 'name', name, 'price', price::text, 'stock', stock, 'is_active', is_active)),
                 '[]'::json)
          FROM products WHERE id = ANY($1::bigint[])) AS products`;

interface FactsRow {
  order_ids: number[];
  pending: { user_id: number; orders: number; units: number }[];
  products: OrderableProductRow[];
}

/*
 * Writes a batch of orders exactly as decided, in one statement (atomic on its own, so it needs
 * no transaction): the products locked once, in id order; each product's stock taken by what
 * all the orders want of it, which CHECK (stock >= 0) refuses if it is short now; and, if a
 * product is no longer at the price it was priced at or is off sale, its stock driven below
 * zero so that the same CHECK refuses the whole statement. Then each customer's pending
 * counters raised by their orders in the batch, which CHECK refuses past the caps decided
 * (they are written with the counters); taken after the stock (the aggregate waits for it), so
 * locks are always products first, then customers in id order. Then the orders, their items
 * and their events.
 */
const PLACE = `
WITH lines AS (
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::numeric[], $4::varchar[], $5::numeric[], $6::bigint[],
                       $19::numeric[])
    WITH ORDINALITY AS l(product_id, quantity, unit_price, product_name, subtotal, order_id, listed_price, n)),
wanted AS (
  SELECT product_id, sum(quantity) AS quantity, min(listed_price) AS lowest, max(listed_price) AS highest
    FROM lines GROUP BY product_id),
locked AS MATERIALIZED (${lockProductsInIdOrder('$1')}),
taken AS (
  UPDATE products p
     SET stock = p.stock - CASE WHEN p.price = w.lowest AND p.price = w.highest AND p.is_active
                                THEN w.quantity ELSE p.stock + 1 END,
         updated_at = now()
    FROM locked k JOIN wanted w ON w.product_id = k.id
   WHERE p.id = k.id
  RETURNING p.id),
held AS (
  INSERT INTO customer_holds AS h
         (user_id, pending_orders, pending_units, max_pending_orders, max_pending_units)
  SELECT c.user_id, c.orders, c.units, c.max_orders, c.max_units
    FROM unnest($12::bigint[], $13::int[], $14::int[], $15::int[], $16::int[])
           AS c(user_id, orders, units, max_orders, max_units),
         (SELECT count(*) FROM taken) AS after_stock
   ORDER BY c.user_id
  ON CONFLICT (user_id) DO UPDATE
     SET pending_orders = h.pending_orders + EXCLUDED.pending_orders,
         pending_units = h.pending_units + EXCLUDED.pending_units,
         max_pending_orders = EXCLUDED.max_pending_orders,
         max_pending_units = EXCLUDED.max_pending_units),
placed AS (
  INSERT INTO orders (id, user_id, status, total_amount, created_at, updated_at, expires_at)
  OVERRIDING SYSTEM VALUE
  SELECT o.id, o.user_id, 'pending', o.total, o.created_at, o.created_at, o.expires_at
    FROM unnest($7::bigint[], $8::bigint[], $9::numeric[], $10::timestamptz[], $11::timestamptz[])
           AS o(id, user_id, total, created_at, expires_at)
  RETURNING ${ORDER_COLUMNS}),
items AS (
  INSERT INTO order_items (order_id, product_id, product_name, quantity, unit_price, subtotal)
  SELECT order_id, product_id, product_name, quantity, unit_price, subtotal FROM lines ORDER BY n
  RETURNING id AS item_id, ${ITEM_COLUMNS}),
events AS (${insertOutbox('$17', '$18')})
SELECT o.*, i.* FROM placed o JOIN items i ON i.order_id = o.id ORDER BY i.item_id`;

type PlacedRow = OrderRow & OrderItemRow & { item_id: number };

/** Each customer's orders and units in a batch, and the caps decided, in customer id order. */
function holdsOf(orders: readonly NewOrder[]) {
  const byUser = new Map<number, { orders: number; units: number; caps: NewOrder['caps'] }>();
  for (const order of orders) {
    const held = byUser.get(order.user_id) ?? { orders: 0, units: 0, caps: order.caps };
    byUser.set(order.user_id, {
      orders: held.orders + 1,
      units: held.units + order.units,
      caps: order.caps,
    });
  }
  const users = [...byUser.keys()].sort((a, b) => a - b);
  const of = (user: number) => byUser.get(user) as NonNullable<ReturnType<typeof byUser.get>>;
  return [
    users,
    users.map((user) => of(user).orders),
    users.map((user) => of(user).units),
    users.map((user) => of(user).caps.orders),
    users.map((user) => of(user).caps.units),
  ];
}

const orderOf = (row: PlacedRow): OrderRow => ({
  id: row.id,
  user_id: row.user_id,
  status: row.status,
  total_amount: row.total_amount,
  created_at: row.created_at,
  updated_at: row.updated_at,
  expires_at: row.expires_at,
  paid_at: row.paid_at,
  cancelled_at: row.cancelled_at,
  cancel_reason: row.cancel_reason,
});

const itemOf = (row: PlacedRow): OrderItemRow => ({
  order_id: row.order_id,
  product_id: row.product_id,
  product_name: row.product_name,
  quantity: row.quantity,
  unit_price: row.unit_price,
  subtotal: row.subtotal,
});

/**
 * Placing orders, in two statements for a whole batch of them: the facts they are decided on,
 * read without a lock, and the write of what was decided, which refuses it when those facts
 * changed in between. Also the other side of the customer's pending counters that the write
 * raises.
 */
@Injectable()
export class OrderPlacementRepository {
  /** The next order's id, the products it names and the customer's pending counters. */
  async facts(db: Db, userId: number, productIds: readonly number[]): Promise<PlacementFacts> {
    const facts = await this.batchFacts(db, 1, [userId], productIds);
    return {
      orderId: facts.orderIds[0] as number,
      products: [...facts.products],
      pending: facts.pending.get(userId) ?? { orders: 0, units: 0 },
    };
  }

  /** `count` new order ids, the products named and the pending counters of the customers. */
  async batchFacts(
    db: Db,
    count: number,
    userIds: readonly number[],
    productIds: readonly number[],
  ): Promise<BatchFacts> {
    const { rows } = await db.query<FactsRow>(FACTS, [productIds, userIds, count]);
    const row = rows[0];
    if (!row) throw new Error('the placement facts query returned no row');
    return {
      orderIds: row.order_ids,
      products: row.products,
      pending: new Map(
        row.pending.map(({ user_id, orders, units }) => [user_id, { orders, units }]),
      ),
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
    const placed = await this.placeAll(db, [order], events);
    return placed?.[0] ?? null;
  }

  /**
   * place() for a batch of orders, all or none of them: the placed orders in the order given,
   * or null when a CHECK refused the statement (nothing written; decide them all again).
   */
  async placeAll(
    db: Db,
    orders: readonly NewOrder[],
    events: readonly OutboxEvent[],
  ): Promise<PlacedOrder[] | null> {
    if (orders.length === 0) return [];
    const items = orders.flatMap((order) =>
      order.items.map((item, i) => ({
        ...item,
        order_id: order.id,
        listed_price: order.listed_prices[i],
      })),
    );
    let rows: PlacedRow[];
    try {
      ({ rows } = await db.query<PlacedRow>(PLACE, [
        items.map((item) => item.product_id),
        items.map((item) => item.quantity),
        items.map((item) => item.unit_price),
        items.map((item) => item.product_name),
        items.map((item) => item.subtotal),
        items.map((item) => item.order_id),
        orders.map((order) => order.id),
        orders.map((order) => order.user_id),
        orders.map((order) => order.total_amount),
        orders.map((order) => order.created_at),
        orders.map((order) => order.expires_at),
        ...holdsOf(orders),
        ...outboxColumns(events),
        items.map((item) => item.listed_price),
      ]));
    } catch (error) {
      if (PLACEMENT_GUARDS.has(violatedCheck(error) ?? '')) return null;
      throw error;
    }
    const byOrder = new Map<number, PlacedOrder>();
    for (const row of rows) {
      const placed = byOrder.get(row.id) ?? { order: orderOf(row), items: [] };
      placed.items.push(itemOf(row));
      byOrder.set(row.id, placed);
    }
    return orders.map((order) => {
      const placed = byOrder.get(order.id);
      if (!placed) throw new Error(`the placement returned no row for order ${order.id}`);
      return placed;
    });
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
