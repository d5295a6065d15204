import { Injectable } from '@nestjs/common';
import { currentRequestId } from '../../common/http/request-context.js';
import type { Tx } from '../database/transaction-runner.js';
import type { OutboxEvent } from './outbox-events.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxRepository } from './outbox.repository.js';

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

  /** Records events in the caller's transaction, stamped with the current request's id. */
  record(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    const requestId = currentRequestId();
    if (requestId !== undefined) {
      events = events.map((event): OutboxEvent => {
        switch (event.kind) {
          case 'mail':
            return { ...event, job: { ...event.job, request_id: requestId } };
          case 'order_timeout':
            return { ...event, job: { ...event.job, request_id: requestId } };
        }
      });
    }
    return this.repository.add(tx, events);
  }

  flush(): void {
    this.relay.kick();
  }
}
