import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../../infra/database/database.js';
import { lockProductsInIdOrder } from './products.repository.js';

/** A product's review totals as stored, read under its row lock. */
export interface RatingTotalsRow {
  is_active: boolean;
  rating_sum: number;
  review_count: number;
}

/**
 * The product columns the service keeps rather than an admin writes: the rating totals of the
 * reviews and the views written back from Redis.
 */
@Injectable()
export class ProductCountersRepository {
  /**
   * The product's rating totals, its row locked until the transaction ends: every review change
   * of one product waits here for the one before it, so each reads the totals the last one wrote.
   */
  async lockRating(tx: Tx, productId: number): Promise<RatingTotalsRow | null> {
    const { rows } = await tx.query<RatingTotalsRow>(
      `SELECT is_active, rating_sum, review_count FROM products WHERE id = $1 FOR UPDATE`,
      [productId],
    );
    return rows[0] ?? null;
  }

  /** Writes the totals and the mean decided for them, under the lock taken by lockRating. */
  async setRating(
    tx: Tx,
    productId: number,
    totals: { sum: number; count: number; hundredths: number | null },
  ): Promise<void> {
    await tx.query(
      `UPDATE products SET rating_sum = $2, review_count = $3, rating_hundredths = $4,
              updated_at = now()
        WHERE id = $1`,
      [productId, totals.sum, totals.count, totals.hundredths],
    );
  }

  /**
   * Adds counted views, one statement for the batch. Locks are taken in id order like every
   * multi-product write, so a batch never deadlocks with an order. `updated_at` stays: a view is
   * no change of the product.
   */
  async addViews(db: Db, ids: readonly number[], counts: readonly number[]): Promise<void> {
    await db.query(
      `WITH locked AS MATERIALIZED (${lockProductsInIdOrder('$1')})
       UPDATE products p SET views = p.views + v.n
         FROM locked k, unnest($1::bigint[], $2::bigint[]) AS v(product_id, n)
        WHERE p.id = k.id AND v.product_id = k.id`,
      [ids, counts],
    );
  }
}
