import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { Histogram, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';
import { trackCheckouts } from './pool-checkout.js';

export interface PgPoolUse {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

/** The pg pool TypeORM opened (its driver's "master"), once the data source is initialised. */
export const pgPoolOf = (dataSource: DataSource): (Pool & PgPoolUse) | undefined =>
  (dataSource.driver as unknown as { master?: Pool & PgPoolUse }).master;

/** Connections open and idle, and callers waiting for one, under a `state` label. */
export const setConnections = (
  gauge: ScrapeGauge<string>['gauge'],
  pool: PgPoolUse,
  labels: Record<string, string> = {},
): void => {
  gauge.set({ ...labels, state: 'total' }, pool.totalCount);
  gauge.set({ ...labels, state: 'idle' }, pool.idleCount);
  gauge.set({ ...labels, state: 'waiting' }, pool.waitingCount);
};

/** One histogram per process, shared by every app in it (tests run several). */
const acquireHistogram = (): Histogram =>
  (register.getSingleMetric(METRIC.dbPoolAcquire) as Histogram | undefined) ??
  new Histogram({
    name: METRIC.dbPoolAcquire,
    help: 'PostgreSQL pool: time a caller waited for a connection (a new one included)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

/**
 * The primary pool's use: connections open and idle and requests waiting for one (read at
 * scrape time), and how long each checkout waited. Read replicas: ReplicaMetrics.
 */
@Injectable()
export class PoolMetrics implements OnModuleDestroy {
  private readonly gauges: ScrapeGauge<string>[];
  private readonly untrack: () => void;

  constructor(@InjectDataSource() dataSource: DataSource) {
    const pool = (): PgPoolUse | undefined => pgPoolOf(dataSource);
    this.gauges = [
      new ScrapeGauge({
        name: METRIC.dbPoolConnections,
        help: 'PostgreSQL pool: open connections (total), idle ones, and requests waiting for one',
        labelNames: ['state'],
        collect() {
          const current = pool();
          if (current) setConnections(this, current);
        },
      }),
      new ScrapeGauge({
        name: METRIC.dbPoolMax,
        help: 'PostgreSQL pool: the most connections it may open (DATABASE_POOL_SIZE)',
        collect() {
          const current = pool();
          if (current) this.set(current.options.max);
        },
      }),
    ];
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
    for (const gauge of this.gauges) gauge.remove();
  }
}
