import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsController } from './metrics.controller.js';

/**
 * prom-client keeps one registry per process and refuses to collect the default metrics twice,
 * which would happen whenever two apps share a process (tests, the api running the workers).
 */
function collectDefaultMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}

@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      global: true,
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [{ provide: 'DEFAULT_METRICS', useFactory: collectDefaultMetricsOnce }],
})
export class MetricsModule {}
