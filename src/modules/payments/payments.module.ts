import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/index.js';
import { PaymentLookups } from './payment-lookups.js';
import { PAYMENT_METRIC_PROVIDERS } from './payment-metrics.js';
import { PaymentOrderHook } from './payment-order-hook.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentSettlement } from './payment-settlement.service.js';
import { PaymentWebhooks } from './payment-webhooks.service.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';

/**
 * Payments through providers (CONTRACT §6), and what they do to orders: through the order
 * state machine (OrderTransitionsService) and its hooks. No routes (PaymentsHttpModule) and no
 * queue worker (PaymentsWorkerModule).
 */
@Module({
  imports: [OrdersModule],
  providers: [
    PaymentsRepository,
    PaymentProviders,
    PaymentSettlement,
    PaymentLookups,
    PaymentOrderHook,
    PaymentsService,
    PaymentWebhooks,
    ...PAYMENT_METRIC_PROVIDERS,
  ],
  exports: [
    PaymentsService,
    PaymentWebhooks,
    PaymentLookups,
    PaymentSettlement,
    PaymentProviders,
    PaymentsRepository,
  ],
})
export class PaymentsModule {}
