import {
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import { safeError } from '../logging/safe-error.js';
import type { Db } from './database.js';
import { replicaPoolOptions } from './data-source-options.js';
import { parseLsn, PrimaryWalHistory, REPLICA_CHECK_INTERVAL_MS } from './replica-lag.js';
import { ReplicaPool, type ReplicaState } from './replica-pool.js';
import { ReplicationStatus, type StandbyStatusRow } from './replication-status.repository.js';

/** Each question of a check gives up after this; a replica that takes longer is not used. */
const CHECK_TIMEOUT_MS = 1_000;

/**
 * The read replicas of DATABASE_REPLICA_URLS and their health. A check runs in the background
 * every second, never on a request's path: it samples the primary's WAL position, then asks each
 * replica how far it has replayed. A replica is used while it answers and is at most
 * DATABASE_REPLICA_MAX_LAG behind; otherwise reads go to the others, or to the primary, and
 * nothing fails. Readiness never looks at replicas (the health module checks the primary).
 */
@Injectable()
export class ReplicaSet implements OnModuleDestroy, OnApplicationShutdown {
  readonly replicas: readonly ReplicaPool[];
  readonly maxLagSeconds: number;
  private readonly logger = new Logger('Replicas');
  private readonly history: PrimaryWalHistory;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private closed = false;
  private turn = 0;
  private readonly probing = new Set<ReplicaPool>();

  constructor(@InjectConfig() config: AppConfig) {
    const { readReplicas } = config;
    this.maxLagSeconds = readReplicas.maxLagSeconds;
    this.history = new PrimaryWalHistory(readReplicas.maxLagSeconds * 1000 + 10_000);
    const options = replicaPoolOptions(config.database, readReplicas);
    this.replicas = readReplicas.endpoints.map((endpoint) => new ReplicaPool(endpoint, options));
  }

  get configured(): boolean {
    return this.replicas.length > 0;
  }

  /** Starts the background check against this primary; Database calls it once. */
  watch(primary: Db): void {
    if (!this.configured || this.timer !== undefined || this.stopped) return;
    const tick = (): void => {
      const started = Date.now();
      void this.check(primary).finally(() => {
        if (this.stopped) return;
        const wait = Math.max(0, REPLICA_CHECK_INTERVAL_MS - (Date.now() - started));
        this.timer = setTimeout(tick, wait);
        this.timer.unref();
      });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  /**
   * The replica for a read: among those in use, the least busy, equals taken in turn; undefined
   * when none is (the primary serves).
   */
  pick(): ReplicaPool | undefined {
    const now = Date.now();
    const usable = this.replicas.filter((replica) => replica.usable(now));
    if (usable.length === 0) return undefined;
    this.turn = (this.turn + 1) % usable.length;
    const inTurn = [...usable.slice(this.turn), ...usable.slice(0, this.turn)];
    return inTurn.reduce((best, candidate) => (candidate.busy < best.busy ? candidate : best));
  }

  /** A read could not reach the replica: not used again until a check reaches it. */
  lost(replica: ReplicaPool, error: unknown): void {
    this.enter(replica, 'down', `unreachable (${safeError(error).message})`);
  }

  private async check(primary: Db): Promise<void> {
    const sampledAt = Date.now();
    try {
      const lsn = await withTimeout(ReplicationStatus.primaryPosition(primary), CHECK_TIMEOUT_MS);
      this.history.record(sampledAt, parseLsn(lsn));
    } catch {
      // The primary's own health is readiness's business; without a new sample the bounds that
      // older samples give only grow, and the replica's replay age still bounds its lag.
    }
    await Promise.all(this.replicas.map((replica) => this.checkReplica(replica)));
  }

  private async checkReplica(replica: ReplicaPool): Promise<void> {
    const startedAt = Date.now();
    try {
      const status = await withTimeout(this.probe(replica), CHECK_TIMEOUT_MS);
      if (this.stopped) return;
      replica.checkedAt = startedAt;
      if (!status.standby) {
        replica.lagSeconds = undefined;
        this.enter(replica, 'not a standby', 'is not a standby (promoted?); not used');
        return;
      }
      const lag = this.history.lagSeconds(
        status.replay_lsn === null ? null : parseLsn(status.replay_lsn),
        status.replay_age,
        Date.now(),
      );
      replica.lagSeconds = lag;
      if (lag <= this.maxLagSeconds) {
        this.enter(replica, 'in use', `in use (${lag.toFixed(1)} s behind)`);
      } else {
        const behind = Number.isFinite(lag) ? `${lag.toFixed(1)} s` : 'too far';
        this.enter(
          replica,
          'lagging',
          `${behind} behind (at most ${this.maxLagSeconds} s); not used`,
        );
      }
    } catch (error) {
      if (this.stopped) return;
      replica.checkedAt = startedAt;
      replica.lagSeconds = undefined;
      this.enter(replica, 'down', `unreachable (${safeError(error).message}); not used`);
    }
  }

  /**
   * Asks the replica, unless the previous question is still waiting for its answer (a replica
   * that stopped answering): checks never pile up on one.
   */
  private probe(replica: ReplicaPool): Promise<StandbyStatusRow> {
    if (this.probing.has(replica))
      return Promise.reject(new Error('the last check is still waiting'));
    this.probing.add(replica);
    return ReplicationStatus.standby(replica).finally(() => this.probing.delete(replica));
  }

  /** One log line per change of state, not one per check. */
  private enter(replica: ReplicaPool, state: ReplicaState, description: string): void {
    if (replica.state === state) return;
    replica.state = state;
    const line = `Replica ${replica.name} ${description}`;
    if (state === 'in use') this.logger.log(line);
    else this.logger.warn(line);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** After the HTTP server stopped taking requests, with the primary's pool. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onModuleDestroy();
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }
}
