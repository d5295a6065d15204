import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { ReplicaReads } from './replica-reads.js';
import { ReplicaSet } from './replica-set.js';

export interface QueryResult<T> {
  rows: T[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  count: number;
}

/**
 * Anything that runs one parameterised statement: the pool (each statement on its own pooled
 * connection, committed at once) or a transaction. Repositories take it as their first
 * parameter when a statement is right in either; values only ever travel as parameters.
 */
export interface Db {
  query<T>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** TypeORM answers rows for a SELECT but [rows, count] for an UPDATE; this is one shape. */
async function run<T>(
  runner: QueryRunner,
  text: string,
  params: readonly unknown[],
): Promise<QueryResult<T>> {
  const result = await runner.query(text, [...params], true);
  const rows = result.records as T[];
  return { rows, count: result.affected ?? rows.length };
}

/**
 * One connection between BEGIN and COMMIT. Only Database.transaction makes one, and the private
 * field makes the type nominal: the pool, or anything else shaped like a Db, is not a Tx. A
 * repository method that must run inside a transaction (row locks, several statements that
 * stand or fall together) takes a Tx, so calling it on the pool does not compile.
 */
export class Tx implements Db {
  readonly #runner: QueryRunner;

  constructor(runner: QueryRunner) {
    this.#runner = runner;
  }

  query<T>(text: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    return run<T>(this.#runner, text, params);
  }
}

class Pool implements Db {
  constructor(private readonly dataSource: DataSource) {}

  async query<T>(text: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await run<T>(runner, text, params);
    } finally {
      await runner.release();
    }
  }
}

/**
 * The one way services reach PostgreSQL: `pool` for statements that stand alone, `transaction`
 * for work that must commit together, `replica` for reads that may be a moment behind (CONTRACT
 * §9). Services open transactions at the entry point of a use case and hand the Tx to every
 * repository they call.
 */
@Injectable()
export class Database implements OnModuleInit {
  readonly pool: Db;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replicas: ReplicaSet,
  ) {
    this.pool = new Pool(dataSource);
  }

  /**
   * For reads that may be a moment behind the primary (product and order lists, reports): a
   * read replica in use, or the primary when none is configured or in use. Take it once per use
   * case (`const db = this.database.replica`): its statements then all read the same server.
   * Never for a read inside a write, an authentication check, or a read that must see a write
   * just made; readsFromPrimary (read-routing.ts) sends a whole request's replica reads to the
   * primary.
   */
  get replica(): Db {
    return this.replicas.configured ? new ReplicaReads(this.pool, this.replicas) : this.pool;
  }

  onModuleInit(): void {
    this.replicas.watch(this.pool);
  }

  /**
   * READ COMMITTED, PostgreSQL's default. Naming it would make TypeORM send a separate
   * SET TRANSACTION, one more round trip while the transaction holds its connection.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => {
      if (!manager.queryRunner) throw new Error('TypeORM gave a transaction without a runner');
      return work(new Tx(manager.queryRunner));
    });
  }
}
