import { Module } from '@nestjs/common';
import { ProductsCache } from './products.cache.js';
import { ProductsRepository } from './products.repository.js';
import { ProductsService } from './products.service.js';

/** The catalogue. Orders use the repository's stock methods and the cache invalidation. */
@Module({
  providers: [ProductsRepository, ProductsService, ProductsCache],
  exports: [ProductsService, ProductsRepository, ProductsCache],
})
export class ProductsModule {}
