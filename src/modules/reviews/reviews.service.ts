import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { offsetOf, toPage, type Page, type PageQueryDto } from '../../common/dto/page.js';
import { forbidden, notFound } from '../../common/errors/domain-error.js';
import { Database } from '../../infra/database/database.js';
import { OrdersService } from '../orders/index.js';
import { ProductRatings, ProductsService } from '../products/index.js';
import type { CreateReviewDto } from './dto/create-review.dto.js';
import { ReviewResponseDto } from './dto/review-response.dto.js';
import { ReviewsRepository } from './reviews.repository.js';

/**
 * Reviews, and the product's rating and review_count with them: every change is one
 * transaction that holds the product's rating lock (ProductRatings), so concurrent reviews of a
 * product each start from the totals the previous one wrote.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly database: Database,
    private readonly reviews: ReviewsRepository,
    private readonly products: ProductsService,
    private readonly ratings: ProductRatings,
    private readonly orders: OrdersService,
  ) {}

  /**
   * 404 for a product not on sale; 403 unless the caller received it in a completed order
   * (checked before the transaction: completed is final); 409 for a second review.
   */
  async create(
    caller: AuthUser,
    productId: number,
    dto: CreateReviewDto,
  ): Promise<ReviewResponseDto> {
    if (!(await this.products.isActive(productId))) throw notFound('Product');
    if (!(await this.orders.hasReceived(caller.id, productId))) {
      throw forbidden('Only customers with a completed order of this product may review it');
    }
    const review = await this.database.transaction(async (tx) => {
      const locked = await this.ratings.lock(tx, productId);
      if (!locked?.active) throw notFound('Product');
      const row = await this.reviews.insert(tx, {
        product_id: productId,
        user_id: caller.id,
        rating: dto.rating,
        title: dto.title ?? null,
        body: dto.body ?? null,
      });
      await this.ratings.apply(tx, locked, row.rating, 1);
      return row;
    });
    await this.ratings.committed(productId);
    return ReviewResponseDto.from(review);
  }

  async list(productId: number, query: PageQueryDto): Promise<Page<ReviewResponseDto>> {
    if (!(await this.products.isActive(productId))) throw notFound('Product');
    const { rows, total } = await this.reviews.listForProduct(
      this.database.pool,
      productId,
      query.page_size,
      offsetOf(query),
    );
    return toPage(
      rows.map((row) => ReviewResponseDto.from(row)),
      total,
      query,
    );
  }

  /** The author or an admin; anyone else 403 (reviews are public, so their existence is too). */
  async remove(caller: AuthUser, id: number): Promise<void> {
    const review = await this.reviews.findById(this.database.pool, id);
    if (!review) throw notFound('Product review');
    if (review.user_id !== caller.id && caller.role !== 'admin') {
      throw forbidden('Only the author or an administrator may delete this review');
    }
    await this.database.transaction(async (tx) => {
      const locked = await this.ratings.lock(tx, review.product_id);
      const rating = await this.reviews.delete(tx, id);
      if (!locked || rating === null) throw notFound('Product review');
      await this.ratings.apply(tx, locked, rating, -1);
    });
    await this.ratings.committed(review.product_id);
  }
}
