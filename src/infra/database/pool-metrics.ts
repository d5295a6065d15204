import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { Histogram, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';
import { trackCheckouts } from './pool-checkout.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

/** The pg pool TypeORM opened (its driver's "master"), once the data source is initialised. */
export const pgPoolOf = (dataSource: DataSource): (Pool & PgPool) | undefined =>
  (dataSource.driver as unknown as { master?: Pool & PgPool }).master;

/** One histogram per process, shared by every app in it (tests run several). */
const acquireHistogram = (): Histogram =>
  (register.getSingleMetric(METRIC.dbPoolAcquire) as Histogram | undefined) ??
  new Histogram({
    name: METRIC.dbPoolAcquire,
    help: 'PostgreSQL pool: time a caller waited for a connection (a new one included)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

/**
 * The pg pool's use: connections open and idle and requests waiting for one (read at scrape
 * time), and how long each checkout waited.
 */
@Injectable()
export class PoolMetrics implements OnModuleDestroy {
  private readonly connections: ScrapeGauge<'state'>;
  private readonly max: ScrapeGauge<never>;
  private readonly untrack: () => void;

  constructor(@InjectDataSource() dataSource: DataSource) {
    const pool = (): PgPool | undefined => pgPoolOf(dataSource);
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
    const histogram = acquireHistogram();
    const pgPool = pgPoolOf(dataSource);
    this.untrack = pgPool
      ? trackCheckouts(pgPool, () => ({
          acquired: (_client, waitSeconds) => {
            histogram.observe(waitSeconds);
            return undefined;
          },
          released: () => false,
        }))
      : () => undefined;
  }

  onModuleDestroy(): void {
    this.untrack();
    this.connections.remove();
    this.max.remove();
  }
}
