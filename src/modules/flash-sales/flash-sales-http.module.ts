import { Module } from '@nestjs/common';
import { FlashSaleRefusals } from './flash-sale-refusals.js';
import { FlashSalesController } from './flash-sales.controller.js';
import { FlashSalesModule } from './flash-sales.module.js';

@Module({
  imports: [FlashSalesModule],
  controllers: [FlashSalesController],
  providers: [FlashSaleRefusals],
})
export class FlashSalesHttpModule {}
