import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller.js';
import { OrdersModule } from './orders.module.js';

@Module({ imports: [OrdersModule], controllers: [OrdersController] })
export class OrdersHttpModule {}
