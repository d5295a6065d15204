import { Injectable } from '@nestjs/common';
import { conflict } from '../../common/errors/domain-error.js';
import type { Db, Tx } from '../../infra/database/database.js';
import { violatedUnique } from '../../infra/database/pg-errors.js';
import { REVIEW_PER_CUSTOMER_UQ } from './review.entity.js';

/** A review with its author's username, as PostgreSQL returns it. */
export interface ReviewRow {
  id: number;
  product_id: number;
  user_id: number;
  username: string;
  rating: number;
  title: string | null;
  body: string | null;
  created_at: Date;
}

export interface NewReview {
  product_id: number;
  user_id: number;
  rating: number;
  title: string | null;
  body: string | null;
}

const COLUMNS =
  'r.id, r.product_id, r.user_id, u.username, r.rating, r.title, r.body, r.created_at';

@Injectable()
export class ReviewsRepository {
  /** Inside the transaction that holds the product's rating lock; a second review is 409. */
  async insert(tx: Tx, review: NewReview): Promise<ReviewRow> {
    const { rows } = await tx
      .query<ReviewRow>(
        `WITH r AS (
           INSERT INTO reviews (product_id, user_id, rating, title, body)
           VALUES ($1, $2, $3, $4, $5) RETURNING *)
         SELECT ${COLUMNS} FROM r JOIN users u ON u.id = r.user_id`,
        [review.product_id, review.user_id, review.rating, review.title, review.body],
      )
      .catch((error: unknown) => {
        if (violatedUnique(error) === REVIEW_PER_CUSTOMER_UQ) {
          throw conflict('You have already reviewed this product');
        }
        throw error;
      });
    const row = rows[0];
    if (!row) throw new Error('INSERT returned no row');
    return row;
  }

  async findById(db: Db, id: number): Promise<ReviewRow | null> {
    const { rows } = await db.query<ReviewRow>(
      `SELECT ${COLUMNS} FROM reviews r JOIN users u ON u.id = r.user_id WHERE r.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A product's reviews, newest first (ties by id). */
  async listForProduct(
    db: Db,
    productId: number,
    limit: number,
    offset: number,
  ): Promise<{ rows: ReviewRow[]; total: number }> {
    const [page, count] = await Promise.all([
      db.query<ReviewRow>(
        `SELECT ${COLUMNS} FROM reviews r JOIN users u ON u.id = r.user_id
          WHERE r.product_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3`,
        [productId, limit, offset],
      ),
      db.query<{ total: number }>(`SELECT count(*) AS total FROM reviews WHERE product_id = $1`, [
        productId,
      ]),
    ]);
    return { rows: page.rows, total: count.rows[0]?.total ?? 0 };
  }

  /** Deletes a review; its rating, or null when it was gone already. */
  async delete(tx: Tx, id: number): Promise<number | null> {
    const { rows } = await tx.query<{ rating: number }>(
      `DELETE FROM reviews WHERE id = $1 RETURNING rating`,
      [id],
    );
    return rows[0]?.rating ?? null;
  }
}
