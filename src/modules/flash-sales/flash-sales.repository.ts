import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../../infra/database/database.js';

/** A sale as stored. */
export interface FlashSaleRow {
  id: number;
  product_id: number;
  price: string;
  quantity: number;
  remaining: number;
  per_user_limit: number;
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  settled_at: Date | null;
}

/** A sale with the units each customer holds: what the gate in Redis is rebuilt from. */
export interface FlashSaleLedger {
  sale: FlashSaleRow;
  holders: Array<[userId: number, units: number]>;
}

export interface NewFlashSale {
  product_id: number;
  price: string;
  quantity: number;
  per_user_limit: number;
  starts_at: Date;
  ends_at: Date;
}

const COLUMNS = `id, product_id, price, quantity, remaining, per_user_limit, starts_at, ends_at,
  ended_at, settled_at`;

/** A sale that can sell now: started, not past its end, not ended early or settled. */
const SELLING = `ended_at IS NULL AND settled_at IS NULL AND starts_at <= now() AND ends_at > now()`;

/**
 * The sales' SQL. Every writer that touches a sale and its product locks the product first
 * (as order placements and cancellations do), then the sale, then a customer's holding.
 */
@Injectable()
export class FlashSalesRepository {
  /**
   * Creates the sale with its units taken from the product's stock, in one statement: no row
   * when the product is missing or off sale; the stock CHECK refuses it when the stock is short.
   */
  async create(db: Db, sale: NewFlashSale): Promise<FlashSaleRow | null> {
    const { rows } = await db.query<FlashSaleRow>(
      `WITH taken AS (
         UPDATE products SET stock = stock - $3, updated_at = now()
          WHERE id = $1 AND is_active RETURNING id)
       INSERT INTO flash_sales (product_id, price, quantity, remaining, per_user_limit, starts_at, ends_at)
       SELECT id, $2, $3, $3, $4, $5, $6 FROM taken
       RETURNING ${COLUMNS}`,
      [
        sale.product_id,
        sale.price,
        sale.quantity,
        sale.per_user_limit,
        sale.starts_at,
        sale.ends_at,
      ],
    );
    return rows[0] ?? null;
  }

  async find(db: Db, id: number): Promise<FlashSaleRow | null> {
    const { rows } = await db.query<FlashSaleRow>(
      `SELECT ${COLUMNS} FROM flash_sales WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The sale and every customer's units in it, in one snapshot. */
  async ledger(db: Db, id: number): Promise<FlashSaleLedger | null> {
    const { rows } = await db.query<FlashSaleRow & { holders: Array<[number, number]> }>(
      `SELECT ${COLUMNS},
              coalesce((SELECT json_agg(json_build_array(h.user_id, h.units))
                          FROM flash_sale_holdings h WHERE h.sale_id = s.id AND h.units > 0),
                       '[]') AS holders
         FROM flash_sales s WHERE s.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const { holders, ...sale } = row;
    return { sale, holders };
  }

  /** Sales scheduled or selling, soonest first. */
  async listOpen(
    db: Db,
    limit: number,
    offset: number,
  ): Promise<{ rows: FlashSaleRow[]; total: number }> {
    // The count is taken apart from the page, so that a page past the last one still carries
    // the total (a window count over an empty page would say 0): one row of NULLs then.
    const open = 'settled_at IS NULL AND ended_at IS NULL AND ends_at > now()';
    const { rows } = await db.query<(FlashSaleRow | { id: null }) & { total: number }>(
      `SELECT ${COLUMNS}, counted.total
         FROM (SELECT count(*) AS total FROM flash_sales WHERE ${open}) counted
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM flash_sales WHERE ${open}
            ORDER BY starts_at, id LIMIT $1 OFFSET $2
         ) page ON true
        ORDER BY page.starts_at, page.id`,
      [limit, offset],
    );
    return {
      rows: rows.filter((row): row is FlashSaleRow & { total: number } => row.id !== null),
      total: rows[0]?.total ?? 0,
    };
  }

  /**
   * A purchase's side of the sale, in the order's transaction before the order is placed: the
   * units go from the sale back to the product's stock (which the ordinary placement then
   * takes), and onto the customer's holding. 'inactive' when the sale is not selling now;
   * the CHECKs refuse selling past the last unit or past the customer's limit.
   */
  async take(tx: Tx, saleId: number, userId: number, units: number): Promise<'taken' | 'inactive'> {
    await tx.query(
      `UPDATE products SET stock = stock + $2
        WHERE id = (SELECT product_id FROM flash_sales WHERE id = $1)`,
      [saleId, units],
    );
    const { rows } = await tx.query<{ per_user_limit: number }>(
      `UPDATE flash_sales SET remaining = remaining - $2 WHERE id = $1 AND ${SELLING}
       RETURNING per_user_limit`,
      [saleId, units],
    );
    const sale = rows[0];
    if (!sale) return 'inactive';
    await tx.query(
      `INSERT INTO flash_sale_holdings AS h (sale_id, user_id, units, max_units)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (sale_id, user_id) DO UPDATE
          SET units = h.units + EXCLUDED.units, max_units = EXCLUDED.max_units`,
      [saleId, userId, units, sale.per_user_limit],
    );
    return 'taken';
  }

  /** Records which sale an order was placed through, in the order's transaction. */
  async link(tx: Tx, orderId: number, saleId: number, units: number): Promise<void> {
    await tx.query(`INSERT INTO flash_sale_orders (order_id, sale_id, units) VALUES ($1, $2, $3)`, [
      orderId,
      saleId,
      units,
    ]);
  }

  /**
   * A cancelled or expired order's units, in the cancellation's transaction (which already gave
   * them back to the product's stock and holds the product's lock): off the customer's holding,
   * and, while the sale has not been settled, from the stock back to the sale. Null for an order
   * not placed through a sale.
   */
  async giveBack(
    tx: Tx,
    orderId: number,
    userId: number,
  ): Promise<{ saleId: number; units: number; toSale: boolean } | null> {
    const { rows } = await tx.query<{ sale_id: number; units: number }>(
      `SELECT sale_id, units FROM flash_sale_orders WHERE order_id = $1`,
      [orderId],
    );
    const link = rows[0];
    if (!link) return null;
    const { rows: returned } = await tx.query(
      `WITH sale AS (
         UPDATE flash_sales SET remaining = remaining + $2
          WHERE id = $1 AND settled_at IS NULL RETURNING product_id)
       UPDATE products p SET stock = p.stock - $2 FROM sale WHERE p.id = sale.product_id
       RETURNING p.id`,
      [link.sale_id, link.units],
    );
    await tx.query(
      `UPDATE flash_sale_holdings SET units = greatest(units - $3, 0)
        WHERE sale_id = $1 AND user_id = $2`,
      [link.sale_id, userId, link.units],
    );
    return { saleId: link.sale_id, units: link.units, toSale: returned.length > 0 };
  }

  /**
   * Ends a sale and gives its unsold units back to the product's stock, once: the product
   * locked first, then the sale; a sale already settled changes nothing. `early` also marks it
   * ended now (an admin's DELETE). Answers the sale as it is afterwards, null when missing.
   */
  async settle(tx: Tx, id: number, early: boolean): Promise<FlashSaleRow | null> {
    const sale = await this.find(tx, id);
    if (!sale) return null;
    await tx.query(`SELECT id FROM products WHERE id = $1 FOR UPDATE`, [sale.product_id]);
    const { rows } = await tx.query<{ remaining: number; settled: boolean }>(
      `SELECT remaining, settled_at IS NOT NULL AS settled FROM flash_sales WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const locked = rows[0];
    if (locked && !locked.settled) {
      await tx.query(`UPDATE products SET stock = stock + $2, updated_at = now() WHERE id = $1`, [
        sale.product_id,
        locked.remaining,
      ]);
    }
    const { rows: after } = await tx.query<FlashSaleRow>(
      `UPDATE flash_sales
          SET ended_at = CASE WHEN $2 THEN coalesce(ended_at, now()) ELSE ended_at END,
              remaining = CASE WHEN settled_at IS NULL THEN 0 ELSE remaining END,
              settled_at = coalesce(settled_at, now())
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, early],
    );
    return after[0] ?? null;
  }

  /** Sales selling now, with what PostgreSQL says remains of each. */
  async selling(db: Db): Promise<Array<{ id: number; remaining: number }>> {
    const { rows } = await db.query<{ id: number; remaining: number }>(
      `SELECT id, remaining FROM flash_sales WHERE ${SELLING} ORDER BY id`,
    );
    return rows;
  }

  /** Sales past their end (or ended early) whose unsold units were not given back yet. */
  async dueForSettlement(db: Db, limit: number): Promise<number[]> {
    const { rows } = await db.query<{ id: number }>(
      `SELECT id FROM flash_sales
        WHERE settled_at IS NULL AND (ends_at <= now() OR ended_at IS NOT NULL)
        ORDER BY ends_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }
}
