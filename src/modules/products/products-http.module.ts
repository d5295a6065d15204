import { Module } from '@nestjs/common';
import { ProductsController } from './products.controller.js';
import { ProductsModule } from './products.module.js';

@Module({ imports: [ProductsModule], controllers: [ProductsController] })
export class ProductsHttpModule {}
