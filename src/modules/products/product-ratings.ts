import { Injectable } from '@nestjs/common';
import type { Tx } from '../../infra/database/database.js';
import { ProductCountersRepository } from './product-counters.repository.js';
import { ProductsCache } from './products.cache.js';

export interface RatingTotals {
  /** The sum of the review ratings (each 1..5). */
  sum: number;
  count: number;
}

/**
 * The one rule of a product's rating: the mean of its reviews, rounded half up to two decimals,
 * as hundredths (4.33 is 433); null without reviews. Integer arithmetic only, so the mean of
 * any totals is the same everywhere.
 */
export const ratingHundredths = ({ sum, count }: RatingTotals): number | null =>
  count === 0 ? null : Math.floor((sum * 200 + count) / (2 * count));

/** A product's review totals, read under its row lock (see lock). */
export interface LockedRating {
  readonly productId: number;
  readonly active: boolean;
  readonly totals: RatingTotals;
}

/**
 * How reviews change a product's rating and review_count, inside the review's transaction:
 * `lock` takes the product's row lock and reads its totals, `apply` writes the totals after one
 * review more or less, with their mean. Concurrent reviews of a product queue on the lock, so
 * each change starts from the totals the previous one committed and the mean stays exact.
 */
@Injectable()
export class ProductRatings {
  constructor(
    private readonly counters: ProductCountersRepository,
    private readonly cache: ProductsCache,
  ) {}

  /** Null when there is no such product (active or not). */
  async lock(tx: Tx, productId: number): Promise<LockedRating | null> {
    const row = await this.counters.lockRating(tx, productId);
    if (!row) return null;
    return {
      productId,
      active: row.is_active,
      totals: { sum: row.rating_sum, count: row.review_count },
    };
  }

  /** A review added (+1) or removed (-1) with this rating. */
  async apply(tx: Tx, locked: LockedRating, rating: number, change: 1 | -1): Promise<void> {
    const totals = {
      sum: locked.totals.sum + change * rating,
      count: locked.totals.count + change,
    };
    await this.counters.setRating(tx, locked.productId, {
      ...totals,
      hundredths: ratingHundredths(totals),
    });
  }

  /** After the review's transaction committed: the product's detail and lists show the change. */
  committed(productId: number): Promise<void> {
    return this.cache.invalidate([productId]);
  }
}
