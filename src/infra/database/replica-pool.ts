import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import type { ReplicaEndpoint } from '../../config/replica-urls.js';
import type { Db, QueryResult } from './database.js';
import { REPLICA_CHECK_FRESH_MS } from './replica-lag.js';

/** What the last check found: serving reads, too far behind, unreachable, or no standby at all. */
export type ReplicaState = 'unchecked' | 'in use' | 'lagging' | 'down' | 'not a standby';

/**
 * One read replica: a pg pool of its own, and what the background check last found. Errors take
 * TypeORM's shapes, so that the error filter, the safe logger and the retry rule treat them as
 * they treat the primary's: a failed statement is a QueryFailedError around the driver's error,
 * a connection that cannot be had is the driver's error itself.
 */
export class ReplicaPool implements Db {
  readonly pool: pg.Pool;
  state: ReplicaState = 'unchecked';
  /** Seconds behind the primary at the last check that reached it. */
  lagSeconds: number | undefined;
  /** Local time the last check started. */
  checkedAt = 0;

  constructor(
    readonly endpoint: ReplicaEndpoint,
    options: pg.PoolConfig,
  ) {
    this.pool = new pg.Pool({ ...options, connectionString: endpoint.url });
    // Idle connections of a replica that goes away fail here; the check reports the replica.
    this.pool.on('error', () => undefined);
  }

  get name(): string {
    return this.endpoint.name;
  }

  /** Serving reads: found close enough to the primary by a check recent enough to trust. */
  usable(now: number): boolean {
    return this.state === 'in use' && now - this.checkedAt <= REPLICA_CHECK_FRESH_MS;
  }

  /** Connections in use and requests waiting for one: how busy it is right now. */
  get busy(): number {
    return this.pool.totalCount - this.pool.idleCount + this.pool.waitingCount;
  }

  async query<T>(text: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // While checked out a client has no listener of the pool's: a connection that dies between
    // statements (a FATAL right behind the last answer) would be an uncaught error. TypeORM's
    // query runner listens the same way.
    const lost = (error: Error): void => {
      broken = error;
    };
    client.on('error', lost);
    try {
      const result = await client.query<pg.QueryResultRow>(text, [...params]);
      return { rows: result.rows as T[], count: result.rowCount ?? result.rows.length };
    } catch (error) {
      // The server refused the statement: the connection is fine. Anything else may have left it
      // half-way through a message, and it is not given back to the pool.
      if (!(error instanceof pg.DatabaseError)) broken = error as Error;
      throw new QueryFailedError(text, [...params], error as Error);
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
