import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type Tx = EntityManager;

/**
 * Services open transactions here, at the entry point of a use case; the repositories they call
 * take the transaction's manager as their last argument.
 */
@Injectable()
export class TransactionRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * READ COMMITTED, PostgreSQL's default. Naming it would make TypeORM send a separate
   * SET TRANSACTION, one more round trip while the transaction holds its connection.
   */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get manager(): Tx {
    return this.dataSource.manager;
  }
}
