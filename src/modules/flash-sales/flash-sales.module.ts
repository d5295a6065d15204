import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/index.js';
import { ProductsModule } from '../products/index.js';
import { FlashSaleGate } from './flash-sale-gate.js';
import { FLASH_SALE_METRIC_PROVIDERS } from './flash-sale-metrics.js';
import { FlashSaleOrderHook } from './flash-sale-order-hook.js';
import { FlashSalePurchases } from './flash-sale-purchases.js';
import { FlashSalesRepository } from './flash-sales.repository.js';
import { FlashSalesService } from './flash-sales.service.js';

/**
 * Flash sales (CONTRACT §7): the sales, their gate in Redis, purchases through the orders
 * module, and the hook that gives cancelled sale orders' units back. No routes
 * (FlashSalesHttpModule) and no sweep (FlashSalesWorkerModule).
 */
@Module({
  imports: [OrdersModule, ProductsModule],
  providers: [
    FlashSalesRepository,
    FlashSaleGate,
    FlashSalesService,
    FlashSalePurchases,
    FlashSaleOrderHook,
    ...FLASH_SALE_METRIC_PROVIDERS,
  ],
  exports: [FlashSalesService, FlashSalePurchases],
})
export class FlashSalesModule {}
