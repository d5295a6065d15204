import { Module, type DynamicModule } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import type { AppConfig } from '../../config/app-config.js';
import { HttpMetrics } from './http-metrics.js';
import { METRIC } from './metric-names.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsServer } from './metrics-server.js';

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
  makeGaugeProvider({
    name: METRIC.httpInFlight,
    help: 'HTTP requests received and not yet answered',
  }),
  makeCounterProvider({
    name: METRIC.ordersCreated,
    help: 'Orders created (idempotent replays not counted)',
  }),
  makeHistogramProvider({
    name: METRIC.orderBatchSize,
    help: 'Orders placed together in one write (group commit), per batch',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
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

/**
 * The service's metrics, available to every module, and where Prometheus reads them: /metrics on
 * the process's own port (METRICS_PORT unset, as the contract's route table has it), or only on
 * METRICS_PORT, a port of its own that the edge never routes.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const ownPort = config.metricsPort !== undefined;
    return {
      module: MetricsModule,
      global: true,
      imports: ownPort
        ? []
        : [
            PrometheusModule.register({
              path: '/metrics',
              controller: MetricsController,
              defaultMetrics: { enabled: false },
            }),
          ],
      providers: [
        { provide: 'DEFAULT_METRICS', useFactory: collectDefaultMetricsOnce },
        ...providers,
        ...(ownPort ? [MetricsServer] : []),
      ],
      exports: providers,
    };
  }
}
