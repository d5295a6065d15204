import { Module } from '@nestjs/common';
import { PaymentWebhooksController } from './payment-webhooks.controller.js';
import { PaymentsController } from './payments.controller.js';
import { PaymentsModule } from './payments.module.js';

@Module({
  imports: [PaymentsModule],
  controllers: [PaymentsController, PaymentWebhooksController],
})
export class PaymentsHttpModule {}
