import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { withTimeout } from '../../common/async/with-timeout.js';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';
import { QUEUES } from './queues.js';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
const SCRAPE_TIMEOUT_MS = 500;

/** queue_jobs{queue,state}, read from Redis at scrape time; absent while Redis does not answer. */
@Injectable()
export class QueueMetrics implements OnModuleDestroy {
  private readonly metric: ScrapeGauge<'queue' | 'state'>;

  constructor(
    @InjectQueue(QUEUES.email) email: Queue,
    @InjectQueue(QUEUES.orders) orders: Queue,
    @InjectQueue(QUEUES.reports) reports: Queue,
    @InjectQueue(QUEUES.payments) payments: Queue,
  ) {
    const queues = [email, orders, reports, payments];
    this.metric = new ScrapeGauge({
      name: METRIC.queueJobs,
      help: 'Jobs in each queue, by state',
      labelNames: ['queue', 'state'],
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (queue) => {
            try {
              const counts = await withTimeout(queue.getJobCounts(...STATES), SCRAPE_TIMEOUT_MS);
              for (const state of STATES)
                this.set({ queue: queue.name, state }, counts[state] ?? 0);
            } catch {
              // Redis unavailable: report nothing rather than stale or zero counts.
            }
          }),
        );
      },
    });
  }

  onModuleDestroy(): void {
    this.metric.remove();
  }
}
