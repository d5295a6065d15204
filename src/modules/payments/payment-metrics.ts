import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';

export const PAYMENT_METRIC = {
  payments: 'payments_total',
  webhooks: 'payment_webhooks_total',
  circuit: 'payment_provider_circuit_state',
} as const;

export const PAYMENT_METRIC_PROVIDERS = [
  makeCounterProvider({
    name: PAYMENT_METRIC.payments,
    help: 'Payments reaching a status, by provider and status (pending when created, then every status it moves to)',
    labelNames: ['provider', 'status'],
  }),
  makeCounterProvider({
    name: PAYMENT_METRIC.webhooks,
    help: 'Payment provider notifications, by provider and result (accepted, duplicate, rejected)',
    labelNames: ['provider', 'result'],
  }),
  makeGaugeProvider({
    name: PAYMENT_METRIC.circuit,
    help: 'Payment provider circuit breaker state: 0 closed, 1 half-open (probing), 2 open (provider failing)',
    labelNames: ['provider'],
  }),
];
