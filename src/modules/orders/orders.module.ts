import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/index.js';
import { UsersModule } from '../users/index.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { OrderHooks } from './order-hooks.js';
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
    OrderHooks,
  ],
  exports: [OrdersService, OrderTransitionsService, OrderSweeper, OrderHooks],
})
export class OrdersModule {}
