import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import type { RedisClient } from './redis.factory.js';
import { QUEUE_REDIS } from './redis.tokens.js';

/** How long a relay pass waits for a replica to confirm; below the client's command timeout. */
const REPLICA_WAIT_MS = 300;

/**
 * Replication to a Sentinel group's replica is asynchronous: a job the master acknowledged a
 * moment before it died may never have reached the replica that takes over. Whoever must not
 * lose what it queued (the outbox relay, which forgets a row once it is marked published) asks
 * here, after its writes, that a replica holds them (WAIT on the same connection). Without a
 * replica in sight the writes stay on the master alone: that is logged, not treated as failure,
 * so mail keeps flowing while a replica is being replaced.
 */
@Injectable()
export class ReplicaAck {
  private readonly logger = new Logger('Redis');
  private unreplicated = false;

  constructor(
    @Inject(QUEUE_REDIS) private readonly queueRedis: RedisClient,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Resolves once a replica holds the queue connection's writes so far (Sentinel only). */
  async queueWrites(): Promise<void> {
    // A cluster routes WAIT to any node, not to the master of the queues' slot; one server has
    // no replica to wait for.
    if (this.config.redis.connection.topology.kind !== 'sentinel') return;
    const replicas = await this.queueRedis.wait(1, REPLICA_WAIT_MS);
    if (replicas === 0 && !this.unreplicated) {
      this.logger.warn('No replica confirmed the queued jobs; they are on the master only');
    }
    if (replicas > 0 && this.unreplicated) this.logger.log('Queued jobs reach a replica again');
    this.unreplicated = replicas === 0;
  }
}
