import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

/** The pg pool's use at scrape time: connections open and idle, requests waiting for one. */
@Injectable()
export class PoolMetrics implements OnModuleDestroy {
  private readonly connections: ScrapeGauge<'state'>;
  private readonly max: ScrapeGauge<never>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    const pool = (): PgPool | undefined =>
      (dataSource.driver as unknown as { master?: PgPool }).master;
    this.connections = new ScrapeGauge({
      name: METRIC.dbPoolConnections,
      help: 'PostgreSQL pool: open connections (total), idle ones, and requests waiting for one',
      labelNames: ['state'],
      collect() {
        const current = pool();
        if (!current) return;
        this.set({ state: 'total' }, current.totalCount);
        this.set({ state: 'idle' }, current.idleCount);
        this.set({ state: 'waiting' }, current.waitingCount);
      },
    });
    this.max = new ScrapeGauge({
      name: METRIC.dbPoolMax,
      help: 'PostgreSQL pool: the most connections it may open (DATABASE_POOL_SIZE)',
      collect() {
        const current = pool();
        if (current) this.set(current.options.max);
      },
    });
  }

  onModuleDestroy(): void {
    this.connections.remove();
    this.max.remove();
  }
}
