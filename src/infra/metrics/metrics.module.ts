import { Global, Module } from '@nestjs/common';
import {
  makeCounterProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { HttpMetrics } from './http-metrics.js';
import { METRIC } from './metric-names.js';
import { MetricsController } from './metrics.controller.js';

/**
 * prom-client keeps one registry per process and refuses to collect the default metrics twice,
 * which would happen whenever two apps share a process (tests, the api running the workers).
 */
function collectDefaultMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}

const providers = [
  makeCounterProvider({
    name: METRIC.httpRequests,
    help: 'HTTP responses, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
  }),
  makeHistogramProvider({
    name: METRIC.httpDuration,
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  makeCounterProvider({
    name: METRIC.ordersCreated,
    help: 'Orders created (idempotent replays not counted)',
  }),
  makeCounterProvider({
    name: METRIC.ordersCancelled,
    help: 'Orders cancelled, by reason (user, admin, payment_timeout)',
    labelNames: ['reason'],
  }),
  makeCounterProvider({
    name: METRIC.cacheRequests,
    help: 'Response cache lookups, by result (hit, miss, bypass)',
    labelNames: ['result'],
  }),
  HttpMetrics,
];

/** /metrics (Prometheus text format) and the service's metrics, available to every module. */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [{ provide: 'DEFAULT_METRICS', useFactory: collectDefaultMetricsOnce }, ...providers],
  exports: providers,
})
export class MetricsModule {}
