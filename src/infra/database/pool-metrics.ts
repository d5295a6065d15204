import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';
import { ReplicaSet } from './replica-set.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

const setConnections = (gauge: ScrapeGauge<string>['gauge'], pool: PgPool, labels = {}): void => {
  gauge.set({ ...labels, state: 'total' }, pool.totalCount);
  gauge.set({ ...labels, state: 'idle' }, pool.idleCount);
  gauge.set({ ...labels, state: 'waiting' }, pool.waitingCount);
};

/**
 * The pg pools' use at scrape time: connections open and idle, requests waiting for one. The
 * primary's under db_pool_*, each read replica's under db_replica_* with its host:port as the
 * `replica` label (a fixed set, from DATABASE_REPLICA_URLS), with its lag and whether it serves.
 */
@Injectable()
export class PoolMetrics implements OnModuleDestroy {
  private readonly gauges: ScrapeGauge<string>[];

  constructor(@InjectDataSource() dataSource: DataSource, replicaSet: ReplicaSet) {
    const pool = (): PgPool | undefined =>
      (dataSource.driver as unknown as { master?: PgPool }).master;
    const { replicas } = replicaSet;
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
    if (replicas.length === 0) return;
    this.gauges.push(
      new ScrapeGauge({
        name: METRIC.dbReplicaPoolConnections,
        help: 'Read replica pools: open connections (total), idle ones, and requests waiting for one',
        labelNames: ['replica', 'state'],
        collect() {
          for (const r of replicas) setConnections(this, r.pool, { replica: r.name });
        },
      }),
      new ScrapeGauge({
        name: METRIC.dbReplicaPoolMax,
        help: 'Read replica pools: the most connections each may open (DATABASE_REPLICA_POOL_SIZE)',
        labelNames: ['replica'],
        collect() {
          for (const r of replicas) this.set({ replica: r.name }, r.pool.options.max);
        },
      }),
      new ScrapeGauge({
        name: METRIC.dbReplicaLag,
        help: 'Read replicas: how far behind the primary each was at its last check (+Inf: unknown)',
        labelNames: ['replica'],
        collect() {
          for (const r of replicas) {
            if (r.lagSeconds !== undefined) this.set({ replica: r.name }, r.lagSeconds);
            else this.remove({ replica: r.name });
          }
        },
      }),
      new ScrapeGauge({
        name: METRIC.dbReplicaInUse,
        help: 'Read replicas: 1 while a replica serves reads, 0 while it is down or lagging',
        labelNames: ['replica'],
        collect() {
          for (const r of replicas) this.set({ replica: r.name }, r.usable(Date.now()) ? 1 : 0);
        },
      }),
    );
  }

  onModuleDestroy(): void {
    for (const gauge of this.gauges) gauge.remove();
  }
}
