import { Module } from '@nestjs/common';
import { ProductCountersRepository } from './product-counters.repository.js';
import { ProductRatings } from './product-ratings.js';
import { ProductsCache } from './products.cache.js';
import { ProductsRepository } from './products.repository.js';
import { ProductsService } from './products.service.js';

/**
 * The catalogue. Orders use the repository's stock methods and the cache invalidation; reviews
 * use ProductRatings and ProductsService.isActive.
 */
@Module({
  providers: [
    ProductsRepository,
    ProductCountersRepository,
    ProductsService,
    ProductsCache,
    ProductRatings,
  ],
  exports: [ProductsService, ProductsRepository, ProductsCache, ProductRatings],
})
export class ProductsModule {}
