import { Module } from '@nestjs/common';
import { FlashSalesController } from './flash-sales.controller.js';
import { FlashSalesModule } from './flash-sales.module.js';

@Module({ imports: [FlashSalesModule], controllers: [FlashSalesController] })
export class FlashSalesHttpModule {}
