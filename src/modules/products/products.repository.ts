import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sql } from '../../infra/database/sql.js';
import type { Tx } from '../../infra/database/transaction-runner.js';
import type { ProductListQueryDto, ProductSort } from './dto/product-query.dto.js';
import type { ProductRow } from './dto/product-response.dto.js';

export interface ProductFields {
  name: string;
  description: string | null;
  /** Exact decimal text, e.g. "12.50". */
  price: string;
  stock: number;
  category: string | null;
}

/** A product as an order sees it while holding its row lock. */
export interface LockedProduct {
  id: number;
  name: string;
  price: string;
  stock: number;
  is_active: boolean;
}

export interface StockLine {
  product_id: number;
  quantity: number;
}

/** Lines as two parallel arrays, for unnest() in one statement whatever the number of lines. */
const columns = (lines: readonly StockLine[]): [number[], number[]] => [
  lines.map((line) => line.product_id),
  lines.map((line) => line.quantity),
];

export interface ProductStats {
  total: number;
  active: number;
  total_stock: number;
  total_sales: number;
}

const COLUMNS =
  'p.id, p.name, p.description, p.price, p.stock, p.category, p.is_active, p.sales, p.created_at, p.updated_at';
const RETURNING = COLUMNS.replaceAll('p.', '');

const UPDATABLE = [
  'name',
  'description',
  'price',
  'stock',
  'category',
] as const satisfies readonly (keyof ProductFields)[];

const SORT_COLUMNS: Record<ProductSort, string> = {
  created_at: 'p.created_at',
  price: 'p.price',
  name: 'p.name',
  sales: 'p.sales',
};

/** A user's search text as a LIKE pattern in which %, _ and \ match themselves. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Products, in lean SQL: reads return plain rows (no entity hydration) and every value is a
 * parameter. Stock only moves through conditional updates that keep it at or above zero.
 */
@Injectable()
export class ProductsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private tx(tx?: Tx): Tx {
    return tx ?? this.dataSource.manager;
  }

  async findActive(id: number): Promise<ProductRow | null> {
    const { rows } = await sql<ProductRow>(
      this.tx(),
      `SELECT ${COLUMNS} FROM products p WHERE p.id = $1 AND p.is_active`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A page of active products, in an order made total by the id tie-break. */
  async list(query: ProductListQueryDto): Promise<{ rows: ProductRow[]; total: number }> {
    const where = ['p.is_active'];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (query.search !== undefined && query.search !== '') {
      const pattern = param(likePattern(query.search));
      where.push(
        `(p.name ILIKE ${pattern} ESCAPE '\\' OR p.description ILIKE ${pattern} ESCAPE '\\')`,
      );
    }
    if (query.category !== undefined) where.push(`p.category = ${param(query.category)}`);
    if (query.min_price !== undefined) where.push(`p.price >= ${param(query.min_price)}`);
    if (query.max_price !== undefined) where.push(`p.price <= ${param(query.max_price)}`);

    const filter = where.join(' AND ');
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const limit = param(query.page_size);
    const offset = param((query.page - 1) * query.page_size);
    const filterParams = params.slice(0, -2);
    const [page, count] = await Promise.all([
      sql<ProductRow>(
        this.tx(),
        `SELECT ${COLUMNS} FROM products p WHERE ${filter}
          ORDER BY ${SORT_COLUMNS[query.sort]} ${direction}, p.id ${direction}
          LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
      sql<{ total: number }>(
        this.tx(),
        `SELECT count(*) AS total FROM products p WHERE ${filter}`,
        filterParams,
      ),
    ]);
    return { rows: page.rows, total: count.rows[0]?.total ?? 0 };
  }

  async hot(limit: number): Promise<ProductRow[]> {
    const { rows } = await sql<ProductRow>(
      this.tx(),
      `SELECT ${COLUMNS} FROM products p WHERE p.is_active ORDER BY p.sales DESC, p.id DESC LIMIT $1`,
      [limit],
    );
    return rows;
  }

  async findActiveByIds(ids: number[]): Promise<ProductRow[]> {
    const { rows } = await sql<ProductRow>(
      this.tx(),
      `SELECT ${COLUMNS} FROM products p WHERE p.id = ANY($1::bigint[]) AND p.is_active`,
      [ids],
    );
    return rows;
  }

  async stats(): Promise<ProductStats> {
    const { rows } = await sql<ProductStats>(
      this.tx(),
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE is_active) AS active,
              coalesce(sum(stock) FILTER (WHERE is_active), 0) AS total_stock,
              coalesce(sum(sales), 0) AS total_sales
         FROM products`,
    );
    // COUNT and SUM over integer columns are BIGINT, which arrives as a number (see data-source-options).
    return rows[0] ?? { total: 0, active: 0, total_stock: 0, total_sales: 0 };
  }

  async create(fields: ProductFields): Promise<ProductRow> {
    const { rows } = await sql<ProductRow>(
      this.tx(),
      `INSERT INTO products (name, description, price, stock, category)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${RETURNING}`,
      [fields.name, fields.description, fields.price, fields.stock, fields.category],
    );
    const row = rows[0];
    if (!row) throw new Error('INSERT returned no row');
    return row;
  }

  /** Updates an active product; null when there is none. */
  async update(id: number, fields: Partial<ProductFields>): Promise<ProductRow | null> {
    const params: unknown[] = [id];
    const sets = UPDATABLE.filter((column) => fields[column] !== undefined).map(
      (column) => `${column} = $${params.push(fields[column])}`,
    );
    sets.push('updated_at = now()');
    const { rows } = await sql<ProductRow>(
      this.tx(),
      `UPDATE products SET ${sets.join(', ')} WHERE id = $1 AND is_active RETURNING ${RETURNING}`,
      params,
    );
    return rows[0] ?? null;
  }

  /**
   * Locks the products in id order. Every transaction that touches several products locks them
   * in id order first (here, or in the order placement statement), so two transactions naming the same
   * products in different orders never wait on each other in a cycle (no deadlock).
   */
  async lockInIdOrder(tx: Tx, ids: readonly number[]): Promise<LockedProduct[]> {
    const { rows } = await sql<LockedProduct>(
      tx,
      `SELECT id, name, price, stock, is_active FROM products
        WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return rows;
  }

  /** Gives back stock of a cancelled order; also takes back its sales if it had been paid. */
  async restoreStock(tx: Tx, lines: readonly StockLine[], wasPaid: boolean): Promise<void> {
    await this.lockInIdOrder(
      tx,
      lines.map((line) => line.product_id),
    );
    await sql(
      tx,
      `UPDATE products p SET stock = p.stock + l.quantity,
              sales = p.sales - CASE WHEN $3 THEN l.quantity ELSE 0 END,
              updated_at = now()
         FROM unnest($1::bigint[], $2::int[]) AS l(product_id, quantity)
        WHERE p.id = l.product_id`,
      [...columns(lines), wasPaid],
    );
  }

  async addSales(tx: Tx, lines: readonly StockLine[]): Promise<void> {
    await this.lockInIdOrder(
      tx,
      lines.map((line) => line.product_id),
    );
    await sql(
      tx,
      `UPDATE products p SET sales = p.sales + l.quantity, updated_at = now()
         FROM unnest($1::bigint[], $2::int[]) AS l(product_id, quantity)
        WHERE p.id = l.product_id`,
      columns(lines),
    );
  }

  async deactivate(id: number): Promise<boolean> {
    const { count } = await sql(
      this.tx(),
      'UPDATE products SET is_active = false, updated_at = now() WHERE id = $1 AND is_active',
      [id],
    );
    return count === 1;
  }
}
