import { Module } from '@nestjs/common';
import { ProductCountersRepository } from './product-counters.repository.js';
import { ProductViewsFlush } from './product-views.flush.js';

/** The catalogue's background work, where the queue processors run: writing back views. */
@Module({ providers: [ProductCountersRepository, ProductViewsFlush] })
export class ProductsWorkerModule {}
