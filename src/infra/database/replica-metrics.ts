import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METRIC } from '../metrics/metric-names.js';
import { ScrapeGauge } from '../metrics/scrape-gauge.js';
import { setConnections } from './pool-metrics.js';
import { ReplicaSet } from './replica-set.js';

/**
 * Each read replica's pool under db_replica_*, with its host:port as the `replica` label (a
 * fixed set, from DATABASE_REPLICA_URLS), its lag and whether it serves. Nothing without replicas.
 */
@Injectable()
export class ReplicaMetrics implements OnModuleDestroy {
  private readonly gauges: ScrapeGauge<string>[] = [];

  constructor(replicaSet: ReplicaSet) {
    const { replicas } = replicaSet;
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
