import { Module } from '@nestjs/common';
import { FlashSaleEndings } from './flash-sale-endings.js';
import { FlashSalesModule } from './flash-sales.module.js';

/** Where the queue processors run: the sweep that settles sales that ended by time. */
@Module({ imports: [FlashSalesModule], providers: [FlashSaleEndings] })
export class FlashSalesWorkerModule {}
