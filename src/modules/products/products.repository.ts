import { Injectable } from '@nestjs/common';
import { conflict } from '../../common/errors/domain-error.js';
import type { ListStart } from '../../common/dto/page.js';
import type { Db, Tx } from '../../infra/database/database.js';
import {
  after,
  keyText,
  orderBy,
  type KeyKind,
  type KeysetOrder,
} from '../../infra/database/keyset.js';
import { violatedUnique } from '../../infra/database/pg-errors.js';

/** A product as PostgreSQL returns it (snake_case); ProductResponseDto.from maps it. */
export interface ProductRow {
  id: number;
  name: string;
  description: string | null;
  /** NUMERIC(12,2) as exact decimal text, e.g. "12.50". */
  price: string;
  stock: number;
  category: string | null;
  sku: string | null;
  brand: string | null;
  /** NUMERIC(12,2) text, or null. */
  original_price: string | null;
  image_url: string | null;
  is_featured: boolean;
  /** The mean rating times 100 (null without reviews), kept by ProductRatings. */
  rating_hundredths: number | null;
  review_count: number;
  views: number;
  is_active: boolean;
  sales: number;
  created_at: Date;
  updated_at: Date;
}

export interface ProductStatsRow {
  total: number;
  active: number;
  total_stock: number;
  total_sales: number;
}

/** What an admin writes; rating, review_count, views and sales are kept by the service. */
export interface ProductFields {
  name: string;
  description: string | null;
  /** Exact decimal text, e.g. "12.50". */
  price: string;
  stock: number;
  category: string | null;
  sku: string | null;
  brand: string | null;
  /** Exact decimal text, or null. */
  original_price: string | null;
  image_url: string | null;
  is_featured: boolean;
}

export type ProductSortColumn = 'created_at' | 'price' | 'name' | 'sales' | 'rating' | 'views';

export interface ProductFilter {
  search?: string;
  category?: string;
  brand?: string;
  is_featured?: boolean;
  min_price?: number;
  max_price?: number;
  sort: ProductSortColumn;
  direction: 'asc' | 'desc';
  limit: number;
  /** Where the page starts; with a cursor nothing is counted. */
  start: ListStart;
}

/** A listed product with its sort value as the exact text a cursor carries. */
export type ListedProduct = ProductRow & { sort_key: string | null };

export interface StockLine {
  product_id: number;
  quantity: number;
}

/** Lines as two parallel arrays, for unnest() in one statement whatever the number of lines. */
const columns = (lines: readonly StockLine[]): [number[], number[]] => [
  lines.map((line) => line.product_id),
  lines.map((line) => line.quantity),
];

/**
 * The row locks of the products whose ids are in the array parameter `ids`, taken in id order.
 * Every statement that changes several products takes their locks through this (an order's
 * placement in OrdersRepository too), so two transactions naming the same products in
 * different orders never wait on each other in a cycle (no deadlock). Used as a MATERIALIZED
 * CTE that the statement's UPDATE joins, it is where the statement waits: the UPDATE only
 * changes rows the CTE has already locked.
 */
export const lockProductsInIdOrder = (ids: string): string =>
  `SELECT id FROM products WHERE id = ANY(${ids}::bigint[]) ORDER BY id FOR UPDATE`;

const COLUMNS = `id name description price stock category sku brand original_price image_url
  is_featured rating_hundredths review_count views is_active sales created_at updated_at`
  .split(/\s+/)
  .map((column) => `p.${column}`)
  .join(', ');
const RETURNING = COLUMNS.replaceAll('p.', '');

const SORT_COLUMNS: Record<ProductSortColumn, { column: string; kind: KeyKind }> = {
  created_at: { column: 'p.created_at', kind: 'timestamp' },
  price: { column: 'p.price', kind: 'decimal' },
  name: { column: 'p.name', kind: 'text' },
  sales: { column: 'p.sales', kind: 'integer' },
  rating: { column: 'p.rating_hundredths', kind: 'integer' },
  views: { column: 'p.views', kind: 'integer' },
};

/** The columns ProductFields names, in one order for INSERT and UPDATE. */
const WRITABLE = [
  'name',
  'description',
  'price',
  'stock',
  'category',
  'sku',
  'brand',
  'original_price',
  'image_url',
  'is_featured',
] as const satisfies readonly (keyof ProductFields)[];

/** The unique index of SKUs among active products (without regard to case). */
const SKU_UNIQUE = 'products_sku_uq';

/** A duplicate SKU is the client's conflict, named by field; any other failure goes on. */
const skuTaken = (error: unknown): never => {
  if (violatedUnique(error) === SKU_UNIQUE) {
    throw conflict('Another product has this sku', {
      sku: 'sku is already used by another product',
    });
  }
  throw error;
};

/**
 * A list's order: the sort column, then the id in the same direction, so the order is total
 * and pages never repeat or skip. Unrated products (rating null) come last either way, matching
 * the two rating indexes.
 */
const listOrder = (sort: ProductSortColumn, direction: 'asc' | 'desc'): KeysetOrder => ({
  ...SORT_COLUMNS[sort],
  direction,
  nullable: sort === 'rating',
  id: 'p.id',
});

/** A user's search text as a LIKE pattern in which %, _ and \ match themselves. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Products, in plain parameterised SQL. Stock only moves in statements that keep it at or above
 * zero (CHECK (stock >= 0) stands behind every one of them).
 */
@Injectable()
export class ProductsRepository {
  async findActive(db: Db, id: number): Promise<ProductRow | null> {
    const { rows } = await db.query<ProductRow>(
      `SELECT ${COLUMNS} FROM products p WHERE p.id = $1 AND p.is_active`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * A page of active products, one row more than the limit (it tells whether a next page
   * exists), in an order made total by the id tie-break; counted only when paging by number.
   */
  async list(
    db: Db,
    filter: ProductFilter,
  ): Promise<{ rows: ListedProduct[]; total: number | undefined }> {
    const where = ['p.is_active'];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.search !== undefined && filter.search !== '') {
      const pattern = param(likePattern(filter.search));
      where.push(
        `(p.name ILIKE ${pattern} ESCAPE '\\' OR p.description ILIKE ${pattern} ESCAPE '\\')`,
      );
    }
    if (filter.category !== undefined) where.push(`p.category = ${param(filter.category)}`);
    if (filter.brand !== undefined) where.push(`p.brand = ${param(filter.brand)}`);
    if (filter.is_featured !== undefined) {
      where.push(`p.is_featured = ${param(filter.is_featured)}`);
    }
    if (filter.min_price !== undefined) where.push(`p.price >= ${param(filter.min_price)}`);
    if (filter.max_price !== undefined) where.push(`p.price <= ${param(filter.max_price)}`);

    const condition = where.join(' AND ');
    const filterParams = [...params];
    const order = listOrder(filter.sort, filter.direction);
    const { start } = filter;
    const seek = 'after' in start ? ` AND ${after(order, start.after, param)}` : '';
    const offset = 'offset' in start ? ` OFFSET ${param(start.offset)}` : '';
    const [page, count] = await Promise.all([
      db.query<ListedProduct>(
        `SELECT ${COLUMNS}, ${keyText(order)} AS sort_key FROM products p
          WHERE ${condition}${seek}
          ORDER BY ${orderBy(order)} LIMIT ${param(filter.limit + 1)}${offset}`,
        params,
      ),
      'offset' in start
        ? db.query<{ total: number }>(
            `SELECT count(*) AS total FROM products p WHERE ${condition}`,
            filterParams,
          )
        : undefined,
    ]);
    return { rows: page.rows, total: count && (count.rows[0]?.total ?? 0) };
  }

  /** Best sellers, ties newest first (a higher id is newer); of one category when given. */
  async hot(db: Db, limit: number, category: string | undefined): Promise<ProductRow[]> {
    const { rows } = await db.query<ProductRow>(
      `SELECT ${COLUMNS} FROM products p
        WHERE p.is_active AND ($2::varchar IS NULL OR p.category = $2)
        ORDER BY p.sales DESC, p.id DESC LIMIT $1`,
      [limit, category ?? null],
    );
    return rows;
  }

  /**
   * An active product, its row locked until the transaction ends: a change that must be decided
   * against the stored values (a list price against the price) cannot race another.
   */
  async lockActive(tx: Tx, id: number): Promise<ProductRow | null> {
    const { rows } = await tx.query<ProductRow>(
      `SELECT ${COLUMNS} FROM products p WHERE p.id = $1 AND p.is_active FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findActiveByIds(db: Db, ids: readonly number[]): Promise<ProductRow[]> {
    const { rows } = await db.query<ProductRow>(
      `SELECT ${COLUMNS} FROM products p WHERE p.id = ANY($1::bigint[]) AND p.is_active`,
      [ids],
    );
    return rows;
  }

  async stats(db: Db): Promise<ProductStatsRow> {
    const { rows } = await db.query<ProductStatsRow>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE is_active) AS active,
              coalesce(sum(stock) FILTER (WHERE is_active), 0) AS total_stock,
              coalesce(sum(sales), 0) AS total_sales
         FROM products`,
    );
    // COUNT and SUM over integer columns are BIGINT, which arrives as a number (see data-source-options).
    return rows[0] ?? { total: 0, active: 0, total_stock: 0, total_sales: 0 };
  }

  async create(db: Db, fields: ProductFields): Promise<ProductRow> {
    const { rows } = await db
      .query<ProductRow>(
        `INSERT INTO products (${WRITABLE.join(', ')})
         VALUES (${WRITABLE.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${RETURNING}`,
        WRITABLE.map((column) => fields[column]),
      )
      .catch(skuTaken);
    const row = rows[0];
    if (!row) throw new Error('INSERT returned no row');
    return row;
  }

  /** Updates an active product; null when there is none. */
  async update(db: Db, id: number, fields: Partial<ProductFields>): Promise<ProductRow | null> {
    const params: unknown[] = [id];
    const sets = WRITABLE.filter((column) => fields[column] !== undefined).map(
      (column) => `${column} = $${params.push(fields[column])}`,
    );
    sets.push('updated_at = now()');
    const { rows } = await db
      .query<ProductRow>(
        `UPDATE products SET ${sets.join(', ')} WHERE id = $1 AND is_active RETURNING ${RETURNING}`,
        params,
      )
      .catch(skuTaken);
    return rows[0] ?? null;
  }

  /**
   * Gives back the stock of a cancelled order, and takes back its sales if it had been paid.
   * A Tx: it belongs to the transaction that cancelled the order.
   */
  async restoreStock(tx: Tx, lines: readonly StockLine[], wasPaid: boolean): Promise<void> {
    await tx.query(
      `WITH locked AS MATERIALIZED (${lockProductsInIdOrder('$1')})
       UPDATE products p SET stock = p.stock + l.quantity,
              sales = p.sales - CASE WHEN $3 THEN l.quantity ELSE 0 END,
              updated_at = now()
         FROM locked k, unnest($1::bigint[], $2::int[]) AS l(product_id, quantity)
        WHERE p.id = k.id AND l.product_id = k.id`,
      [...columns(lines), wasPaid],
    );
  }

  /** Counts a paid order's units as sold, in the transaction that paid it. */
  async addSales(tx: Tx, lines: readonly StockLine[]): Promise<void> {
    await tx.query(
      `WITH locked AS MATERIALIZED (${lockProductsInIdOrder('$1')})
       UPDATE products p SET sales = p.sales + l.quantity, updated_at = now()
         FROM locked k, unnest($1::bigint[], $2::int[]) AS l(product_id, quantity)
        WHERE p.id = k.id AND l.product_id = k.id`,
      columns(lines),
    );
  }

  async deactivate(db: Db, id: number): Promise<boolean> {
    const { count } = await db.query(
      'UPDATE products SET is_active = false, updated_at = now() WHERE id = $1 AND is_active',
      [id],
    );
    return count === 1;
  }
}
