import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database.js';
import { currentJobMeta } from './job-context.js';
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

  /**
   * The events as they are stored: stamped with the current request's id and trace context, so
   * the jobs they become continue the request's trace. For a statement that writes its events
   * itself (see insertOutbox); `record` stamps through here too.
   */
  stamp(events: readonly OutboxEvent[]): OutboxEvent[] {
    const meta = currentJobMeta();
    return events.map((event): OutboxEvent => {
      switch (event.kind) {
        case 'mail':
          return { ...event, job: { ...event.job, ...meta } };
        case 'order_timeout':
          return { ...event, job: { ...event.job, ...meta } };
        case 'payment_refund':
          return { ...event, job: { ...event.job, ...meta } };
        case 'payment_close':
          return { ...event, job: { ...event.job, ...meta } };
        case 'cache_epoch':
          return event;
      }
    });
  }

  /** Records events in the caller's transaction: they exist exactly when it commits. */
  record(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    return this.repository.add(tx, this.stamp(events));
  }

  flush(): void {
    this.relay.kick();
  }
}
