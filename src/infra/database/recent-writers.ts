import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import type { RedisClient } from '../redis/redis.factory.js';
import { InjectRedis } from '../redis/redis.tokens.js';
import { replicaStalenessBoundMs } from './replica-lag.js';
import { ReplicaSet } from './replica-set.js';

/** Redis must answer within this; the request does not wait longer for the read-your-writes rule. */
const TIMEOUT_MS = 150;

/**
 * Who wrote in the last replicaStalenessBoundMs, remembered in Redis (so every api replica knows)
 * under a key that expires then: their reads that must see their own writes go to the primary
 * until no replica in use can still be behind the write. Nothing is written without replicas.
 */
@Injectable()
export class RecentWriters {
  private readonly logger = new Logger('ReadYourWrites');
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    @InjectConfig() config: AppConfig,
    private readonly replicas: ReplicaSet,
  ) {
    this.prefix = `${config.redis.prefix}:ryw`;
    this.ttlMs = replicaStalenessBoundMs(config.readReplicas.maxLagSeconds);
  }

  /** False without read replicas: every read sees every write, and nothing is remembered. */
  get needed(): boolean {
    return this.replicas.configured;
  }

  /** Call once the write has committed, before its response goes out. */
  async remember(userId: number): Promise<void> {
    if (!this.needed) return;
    try {
      await withTimeout(this.redis.set(this.key(userId), '1', 'PX', this.ttlMs), TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(
        `Could not remember user ${userId}'s write (${(error as Error).message}); their next reads may lag`,
      );
    }
  }

  /** Whether the user wrote recently; when Redis cannot say, yes (the primary is never wrong). */
  async wroteRecently(userId: number): Promise<boolean> {
    if (!this.needed) return false;
    try {
      return (await withTimeout(this.redis.exists(this.key(userId)), TIMEOUT_MS)) === 1;
    } catch {
      return true;
    }
  }

  private key(userId: number): string {
    return `${this.prefix}:${userId}`;
  }
}
