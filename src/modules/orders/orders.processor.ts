import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BoundedWorkerHost } from '../../infra/queue/bounded-worker-host.js';
import { JOBS, QUEUES, type OrderTimeoutJob } from '../../infra/queue/queues.js';
import { OrderSweeper, type SweepResult } from './order-sweeper.js';
import { OrderTransitionsService } from './order-transitions.service.js';

export class NotYetDueError extends Error {
  override readonly name = 'NotYetDueError';
}

/** Payment timeouts (one delayed job per order) and the periodic sweep. */
@Processor(QUEUES.orders, { concurrency: 5 })
export class OrdersProcessor extends BoundedWorkerHost {
  constructor(
    private readonly orders: OrderTransitionsService,
    private readonly sweeper: OrderSweeper,
  ) {
    super();
  }

  protected async handle(job: Job<OrderTimeoutJob>): Promise<string | SweepResult> {
    if (job.name === JOBS.ordersSweep) return this.sweeper.sweep();
    const outcome = await this.orders.expire(job.data.orderId);
    // Clocks of Node and PostgreSQL may disagree by a little: retried shortly, it will be due.
    if (outcome === 'not yet due')
      throw new NotYetDueError(`order ${job.data.orderId} is not past its deadline yet`);
    return outcome;
  }
}
