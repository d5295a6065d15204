import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { withTimeout } from '../../common/async/with-timeout.js';
import { Database } from '../database/database.js';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';
import { OutboxRepository } from './outbox.repository.js';

const SCRAPE_TIMEOUT_MS = 500;

/**
 * outbox_oldest_unrelayed_age_seconds, read from PostgreSQL at scrape time: how far the relay to
 * the queues is behind (0 when nothing waits). NaN (unknown) while PostgreSQL does not answer:
 * neither 0 nor an old figure would be true.
 */
@Injectable()
export class OutboxMetrics implements OnModuleDestroy {
  private readonly metric: ScrapeGauge<never>;

  constructor(database: Database, outbox: OutboxRepository) {
    this.metric = new ScrapeGauge({
      name: METRIC.outboxOldestAge,
      help: 'Age of the oldest outbox row not yet handed to the queues (0: none waiting)',
      async collect() {
        try {
          this.set(
            await withTimeout(outbox.oldestUnrelayedAgeSeconds(database.pool), SCRAPE_TIMEOUT_MS),
          );
        } catch {
          this.set(Number.NaN);
        }
      },
    });
  }

  onModuleDestroy(): void {
    this.metric.remove();
  }
}
