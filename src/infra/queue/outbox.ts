import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Tx } from '../database/database.js';
import { currentJobMeta } from './job-context.js';
import type { OutboxEvent } from './outbox-events.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxRepository } from './outbox.repository.js';

/**
 * Transitional (issue 15): orders still run their transactions through TransactionRunner, whose
 * transactions are TypeORM managers. Goes with TransactionRunner once orders are on Database.
 */
const asTx = (tx: Tx | EntityManager): Tx => {
  if (tx instanceof Tx) return tx;
  if (!tx.queryRunner) throw new Error('Outbox.record needs a transaction');
  return new Tx(tx.queryRunner);
};

/**
 * What services use: `record` inside their transaction, `flush` after it committed. Work
 * recorded here is never lost to a Redis outage: it waits in PostgreSQL until relayed.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly repository: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Records events in the caller's transaction, stamped with the current request's id and trace
   * context, so the jobs they become continue the request's trace.
   */
  record(tx: Tx | EntityManager, events: readonly OutboxEvent[]): Promise<void> {
    const meta = currentJobMeta();
    const stamped = events.map((event): OutboxEvent => {
      switch (event.kind) {
        case 'mail':
          return { ...event, job: { ...event.job, ...meta } };
        case 'order_timeout':
          return { ...event, job: { ...event.job, ...meta } };
      }
    });
    return this.repository.add(asTx(tx), stamped);
  }

  flush(): void {
    this.relay.kick();
  }
}
