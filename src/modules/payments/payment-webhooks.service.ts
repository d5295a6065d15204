import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { validationFailed } from '../../common/errors/domain-error.js';
import { Database } from '../../infra/database/database.js';
import type {
  IncomingNotification,
  PaymentProvider,
  ProviderEvent,
  WebhookAnswer,
  WebhookResult,
} from './payment-provider.js';
import { PAYMENT_METRIC } from './payment-metrics.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentSettlement } from './payment-settlement.service.js';
import { PaymentsRepository, type PaymentRow } from './payments.repository.js';

export interface WebhookOutcome {
  result: WebhookResult;
  answer: WebhookAnswer;
}

const RESULTS: readonly WebhookResult[] = ['accepted', 'duplicate', 'rejected'];

/**
 * A provider's notification, from the raw bytes to its answer: the provider verifies the
 * signature over the raw body (and its timestamp) before anything in it is read; the payment
 * it names must exist, belong to that provider and agree on amount and currency; then it is
 * settled once (a repeat is a duplicate). Whatever happens, the provider gets its own format's
 * answer, and payment_webhooks_total counts it. Nothing a notification carries is logged.
 */
@Injectable()
export class PaymentWebhooks {
  private readonly logger = new Logger(PaymentWebhooks.name);

  constructor(
    private readonly providers: PaymentProviders,
    private readonly payments: PaymentsRepository,
    private readonly settlement: PaymentSettlement,
    private readonly database: Database,
    @InjectMetric(PAYMENT_METRIC.webhooks) private readonly counted: Counter<'provider' | 'result'>,
  ) {
    for (const provider of providers.names) {
      for (const result of RESULTS) counted.inc({ provider, result }, 0);
    }
  }

  async receive(providerName: string, notification: IncomingNotification): Promise<WebhookOutcome> {
    const provider = this.providers.get(providerName);
    if (!provider) {
      throw validationFailed({
        provider: `provider must be one of the enabled payment providers: ${this.providers.names.join(', ')}`,
      });
    }
    const result = await this.process(provider, notification);
    this.counted.inc({ provider: provider.name, result });
    return { result, answer: provider.answer(result) };
  }

  private async process(
    provider: PaymentProvider,
    notification: IncomingNotification,
  ): Promise<WebhookResult> {
    const verified = await provider.verify(notification);
    switch (verified.outcome) {
      case 'rejected':
        this.logger.warn(`${provider.name} notification rejected: ${verified.reason}`);
        return 'rejected';
      case 'ignored':
        return 'accepted';
      case 'event':
        break;
    }
    const { event } = verified;
    const payment = await this.paymentOf(provider, event);
    if (!payment) {
      this.logger.warn(`${provider.name} notification ${event.eventId} names no payment of ours`);
      return 'rejected';
    }
    if (event.amountMinor !== payment.amount_minor || event.currency !== payment.currency) {
      this.logger.error(
        `${provider.name} notification ${event.eventId} for payment ${payment.id} says ${event.amountMinor} ${event.currency}, the payment is ${payment.amount_minor} ${payment.currency}: rejected`,
      );
      return 'rejected';
    }
    const settled = await this.settlement.settle(payment, event.kind, event.eventId);
    return settled === 'duplicate' ? 'duplicate' : 'accepted';
  }

  private async paymentOf(
    provider: PaymentProvider,
    event: ProviderEvent,
  ): Promise<PaymentRow | null> {
    const db = this.database.pool;
    const payment =
      'id' in event.payment
        ? await this.payments.findById(db, event.payment.id)
        : await this.payments.findByReference(db, provider.name, event.payment.providerReference);
    if (!payment || payment.provider !== provider.name) return null;
    // A reference the provider states must be the one it gave for this payment.
    if (
      event.providerReference !== undefined &&
      payment.provider_reference !== null &&
      event.providerReference !== payment.provider_reference
    ) {
      return null;
    }
    return payment;
  }
}
