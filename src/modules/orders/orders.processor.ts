import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BoundedWorkerHost } from '../../infra/queue/bounded-worker-host.js';
import { JOBS, QUEUES, type OrderTimeoutJob } from '../../infra/queue/queues.js';
import { OrderSweeper, type SweepResult } from './order-sweeper.js';
import { OrderTimeoutHandler } from './order-timeout.handler.js';

/**
 * The orders queue's worker. BullMQ gives a queue one worker, which receives every job kind;
 * each kind is handled by a class of its own: payment timeouts by OrderTimeoutHandler, the
 * periodic sweep by OrderSweeper.
 */
@Processor(QUEUES.orders, { concurrency: 5 })
export class OrdersProcessor extends BoundedWorkerHost {
  constructor(
    private readonly timeouts: OrderTimeoutHandler,
    private readonly sweeper: OrderSweeper,
  ) {
    super();
  }

  protected handle(job: Job<OrderTimeoutJob>): Promise<string | SweepResult> {
    switch (job.name) {
      case JOBS.orderTimeout:
        return this.timeouts.handle(job.data);
      case JOBS.ordersSweep:
        return this.sweeper.sweep();
      default:
        throw new Error(`the orders queue has no job named ${job.name}`);
    }
  }
}
