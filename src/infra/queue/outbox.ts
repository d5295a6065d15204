import { Injectable } from '@nestjs/common';
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

  record(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    return this.repository.add(tx, events);
  }

  flush(): void {
    this.relay.kick();
  }
}
