import { Injectable } from '@nestjs/common';
import type { OrderTimeoutJob } from '../../infra/queue/queues.js';
import { OrderTransitionsService } from './order-transitions.service.js';

export class NotYetDueError extends Error {
  override readonly name = 'NotYetDueError';
}

/** The `order-timeout` job: one delayed job per order, due at its payment deadline. */
@Injectable()
export class OrderTimeoutHandler {
  constructor(private readonly orders: OrderTransitionsService) {}

  async handle(job: OrderTimeoutJob): Promise<string> {
    const outcome = await this.orders.expire(job.orderId);
    // Clocks of Node and PostgreSQL may disagree by a little: retried shortly, it will be due.
    if (outcome === 'not yet due')
      throw new NotYetDueError(`order ${job.orderId} is not past its deadline yet`);
    return outcome;
  }
}
