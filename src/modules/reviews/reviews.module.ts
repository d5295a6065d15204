import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/index.js';
import { ProductsModule } from '../products/index.js';
import { ReviewsRepository } from './reviews.repository.js';
import { ReviewsService } from './reviews.service.js';

/**
 * Product reviews, on the public surfaces of products (ProductsService, ProductRatings) and
 * orders (OrdersService.hasReceived); no routes (see ReviewsHttpModule).
 */
@Module({
  imports: [ProductsModule, OrdersModule],
  providers: [ReviewsRepository, ReviewsService],
  exports: [ReviewsService],
})
export class ReviewsModule {}
