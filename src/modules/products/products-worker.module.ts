import { Module } from '@nestjs/common';
import { ProductCountersRepository } from './product-counters.repository.js';
import { ProductViewsFlush } from './product-views.flush.js';
import { ProductsCache } from './products.cache.js';

/** The catalogue's background work, where the queue processors run: writing back views. */
@Module({ providers: [ProductCountersRepository, ProductsCache, ProductViewsFlush] })
export class ProductsWorkerModule {}
