import { Injectable } from '@nestjs/common';
import type { Tx } from '../../infra/database/database.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import type { OrderTransition } from './order-state-machine.js';
import type { OrderRow } from './orders.repository.js';

/** What a hook says before the payment timeout cancels a pending order past its deadline. */
export type ExpiryVerdict =
  /** Nothing stands in the way: cancel it. */
  | 'expire'
  /** It was paid meanwhile (its provider reported a success, which the hook settled). */
  | 'paid'
  /** Cannot tell now (its provider did not answer): leave it to a later sweep. */
  | 'undecided';

/**
 * What another module (payments) adds to an order's transitions, without orders importing it:
 * `transitioned` runs inside the transaction that applied a transition and answers the events
 * to record with it (a paid order's refund on cancel); `beforeExpiry` runs before the payment
 * timeout cancels an order (a payment pending at a provider is looked up first). The module
 * registers itself at start-up (OrderHooks.add).
 */
export interface OrderHook {
  transitioned(tx: Tx, transition: OrderTransition, order: OrderRow): Promise<OutboxEvent[]>;
  beforeExpiry(order: OrderRow): Promise<ExpiryVerdict>;
}

/** The hooks registered; every api and worker loads the modules that register theirs. */
@Injectable()
export class OrderHooks {
  private readonly hooks: OrderHook[] = [];

  add(hook: OrderHook): void {
    this.hooks.push(hook);
  }

  async transitioned(tx: Tx, transition: OrderTransition, order: OrderRow): Promise<OutboxEvent[]> {
    const events: OutboxEvent[] = [];
    for (const hook of this.hooks) events.push(...(await hook.transitioned(tx, transition, order)));
    return events;
  }

  /** 'expire' only when every hook agrees. */
  async beforeExpiry(order: OrderRow): Promise<ExpiryVerdict> {
    for (const hook of this.hooks) {
      const verdict = await hook.beforeExpiry(order);
      if (verdict !== 'expire') return verdict;
    }
    return 'expire';
  }
}
