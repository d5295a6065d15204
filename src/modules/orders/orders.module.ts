import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module.js';
import { UsersModule } from '../users/users.module.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { OrderPlacementRepository } from './order-placement.repository.js';
import { OrderSweeper } from './order-sweeper.js';
import { OrderTransitionsService } from './order-transitions.service.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

/** Orders and their state machine; no routes (see OrdersHttpModule). */
@Module({
  imports: [ProductsModule, UsersModule],
  providers: [
    OrdersRepository,
    OrderPlacementRepository,
    OrdersService,
    OrderTransitionsService,
    IdempotencyKeysRepository,
    OrderSweeper,
  ],
  exports: [OrdersService, OrderTransitionsService, OrderSweeper],
})
export class OrdersModule {}
