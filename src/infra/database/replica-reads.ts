import type { Db, QueryResult } from './database.js';
import { replicaReadFailure } from './pg-errors.js';
import { readsMustSeePrimary } from './read-routing.js';
import type { ReplicaPool } from './replica-pool.js';
import type { ReplicaSet } from './replica-set.js';

/**
 * The executor of one use case's reads that may be a moment behind. Its first statement picks a
 * replica (or the primary, when none is in use) and every later statement stays there, so the
 * rows of one answer come from one point in time: an order and its items from the same replica.
 * A read the replica cannot answer (unreachable, gone mid-query, cancelled by replay) is asked
 * again of the primary, once; a read is safe to repeat, and the primary is never behind the
 * replica, so later statements follow it there.
 */
export class ReplicaReads implements Db {
  private target: ReplicaPool | 'primary' | undefined;

  constructor(
    private readonly primary: Db,
    private readonly replicas: ReplicaSet,
  ) {}

  async query<T>(text: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    if (readsMustSeePrimary()) return this.primary.query<T>(text, params);
    this.target ??= this.replicas.pick() ?? 'primary';
    const replica = this.target;
    if (replica === 'primary') return this.primary.query<T>(text, params);
    try {
      return await replica.query<T>(text, params);
    } catch (error) {
      const failure = replicaReadFailure(error);
      if (failure === undefined) throw error;
      if (failure === 'connection') this.replicas.lost(replica, error);
      this.target = 'primary';
      return this.primary.query<T>(text, params);
    }
  }
}
