import { Module } from '@nestjs/common';
import { OrderSweepSchedule } from './order-sweep.schedule.js';
import { OrderTimeoutHandler } from './order-timeout.handler.js';
import { OrdersModule } from './orders.module.js';
import { OrdersProcessor } from './orders.processor.js';

/** The orders queue's worker, its job handlers and the sweep's schedule (workers only). */
@Module({
  imports: [OrdersModule],
  providers: [OrdersProcessor, OrderTimeoutHandler, OrderSweepSchedule],
})
export class OrdersWorkerModule {}
