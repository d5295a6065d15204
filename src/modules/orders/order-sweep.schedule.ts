import { InjectQueue } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { JOBS, QUEUES } from '../../infra/queue/queues.js';

const SCHEDULER_ID = 'orders-sweep';
const RESCHEDULE_MS = 30_000;

/**
 * The sweep's schedule (every ORDER_SWEEP_INTERVAL seconds). It lives in Redis; every worker
 * upserts it at start and every 30 seconds (one schedule whatever the number of workers), so
 * it comes back if Redis lost its data.
 */
@Injectable()
export class OrderSweepSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderSweepSchedule.name);
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;

  constructor(
    @InjectQueue(QUEUES.orders) private readonly queue: Queue,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.schedule();
    this.timer = setInterval(() => void this.schedule(), RESCHEDULE_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async schedule(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        SCHEDULER_ID,
        { every: this.config.orders.sweepInterval * 1000 },
        {
          name: JOBS.ordersSweep,
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
      this.scheduled = true;
    } catch (error) {
      if (this.scheduled)
        this.logger.warn(`Could not schedule the orders sweep: ${(error as Error).message}`);
      this.scheduled = false;
    }
  }
}
