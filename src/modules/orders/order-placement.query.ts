import { MAX_AMOUNT_CENTS } from '../../common/money.js';
import { sql } from '../../infra/database/sql.js';
import type { Tx } from '../../infra/database/transaction-runner.js';
import type { JobMeta } from '../../infra/queue/queues.js';
import type { LockedProduct, StockLine } from '../products/products.repository.js';

export interface PlacementRequest {
  userId: number;
  lines: readonly StockLine[];
  paymentTimeoutSeconds: number;
  /** The owner's address, for the confirmation mail. */
  mailTo: string;
  /** Request id and trace context for the queued jobs (see currentJobMeta). */
  jobMeta: JobMeta;
}

export interface PlacedOrderRow {
  id: number;
  total_amount: string;
  created_at: Date;
  expires_at: Date;
}

export interface PlacementResult {
  /** The products as they were before, locked: to price the order or explain a refusal. */
  products: LockedProduct[];
  /** Null when the order was refused: a product missing or inactive, short stock, too dear. */
  order: PlacedOrderRow | null;
}

const ISO = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/*
 * One statement, so it needs no transaction of its own and costs one round trip: products
 * locked in id order (so orders naming the same products in other orders never deadlock),
 * stock taken for every line if and only if every line can be served (all or nothing, with
 * CHECK (stock >= 0) behind it), the order and its items inserted with names and prices
 * snapshotted, and the confirmation mail and payment deadline written to the outbox, shaped as
 * OutboxEvent ('mail' with MailJob, 'order_timeout' with OrderTimeoutJob). The deadline is cut
 * to milliseconds so that what the response, the mail and the row say is the same instant.
 */
const PLACE_ORDER = `
WITH wanted AS (
  SELECT * FROM unnest($1::bigint[], $2::int[]) WITH ORDINALITY AS w(product_id, quantity, n)),
locked AS MATERIALIZED (
  SELECT id, name, price, stock, is_active FROM products
   WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE),
priced AS (
  SELECT w.n, w.product_id, l.name AS product_name, w.quantity, l.price AS unit_price,
         l.price * w.quantity AS subtotal, l.is_active AND l.stock >= w.quantity AS servable
    FROM wanted w JOIN locked l ON l.id = w.product_id),
verdict AS (
  SELECT count(*) FILTER (WHERE servable) = cardinality($1::bigint[])
           AND coalesce(sum(subtotal), 0) * 100 <= $7 AS ok,
         sum(subtotal) AS total
    FROM priced),
taken AS (
  UPDATE products p SET stock = p.stock - w.quantity, updated_at = now()
    FROM wanted w
   WHERE p.id = w.product_id AND (SELECT ok FROM verdict)
  RETURNING p.id),
o AS (
  INSERT INTO orders (user_id, status, total_amount, expires_at)
  SELECT $3, 'pending', total, date_trunc('milliseconds', now() + make_interval(secs => $4))
    FROM verdict WHERE ok
  RETURNING id, total_amount, created_at, expires_at),
items AS (
  INSERT INTO order_items (order_id, product_id, product_name, quantity, unit_price, subtotal)
  SELECT o.id, p.product_id, p.product_name, p.quantity, p.unit_price, p.subtotal
    FROM o, priced p ORDER BY p.n),
meta AS (SELECT $6::jsonb AS job),
events AS (
  INSERT INTO outbox (kind, payload)
  SELECT 'mail', jsonb_build_object('kind', 'mail', 'job', jsonb_build_object(
           'key', 'order-confirmation-' || o.id,
           'to', $5::text,
           'template', jsonb_build_object('name', 'order_confirmation', 'order', jsonb_build_object(
             'id', o.id,
             'total_amount', o.total_amount,
             'items', (SELECT jsonb_agg(jsonb_build_object('product_name', p.product_name,
                        'quantity', p.quantity, 'subtotal', p.subtotal) ORDER BY p.n) FROM priced p),
             'expires_at', ${ISO('o.expires_at')}))) || meta.job)
    FROM o, meta
  UNION ALL
  SELECT 'order_timeout', jsonb_build_object('kind', 'order_timeout',
           'job', jsonb_build_object('orderId', o.id) || meta.job,
           'run_at', ${ISO('o.expires_at')})
    FROM o, meta)
SELECT l.id, l.name, l.price, l.stock, l.is_active,
       o.id AS order_id, o.total_amount, o.created_at, o.expires_at
  FROM locked l LEFT JOIN o ON true`;

interface Row extends LockedProduct {
  order_id: number | null;
  total_amount: string | null;
  created_at: Date | null;
  expires_at: Date | null;
}

export async function placeOrder(tx: Tx, request: PlacementRequest): Promise<PlacementResult> {
  const { rows } = await sql<Row>(tx, PLACE_ORDER, [
    request.lines.map((line) => line.product_id),
    request.lines.map((line) => line.quantity),
    request.userId,
    request.paymentTimeoutSeconds,
    request.mailTo,
    JSON.stringify(request.jobMeta),
    MAX_AMOUNT_CENTS,
  ]);
  const products = rows.map(({ id, name, price, stock, is_active }) => ({
    id,
    name,
    price,
    stock,
    is_active,
  }));
  const first = rows[0];
  const order =
    first?.order_id != null && first.total_amount && first.created_at && first.expires_at
      ? {
          id: first.order_id,
          total_amount: first.total_amount,
          created_at: first.created_at,
          expires_at: first.expires_at,
        }
      : null;
  return { products, order };
}
