import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module.js';
import { IdempotencyCleanup } from './idempotency-cleanup.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

/** Orders and their state machine; no routes (see OrdersHttpModule). */
@Module({
  imports: [ProductsModule],
  providers: [OrdersRepository, OrdersService, IdempotencyKeysRepository, IdempotencyCleanup],
  exports: [OrdersService],
})
export class OrdersModule {}
