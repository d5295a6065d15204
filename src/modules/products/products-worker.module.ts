import { Module } from '@nestjs/common';
import { ProductViewsFlush } from './product-views.flush.js';
import { ProductsModule } from './products.module.js';

/** The catalogue's background work, where the queue processors run: writing back views. */
@Module({ imports: [ProductsModule], providers: [ProductViewsFlush] })
export class ProductsWorkerModule {}
