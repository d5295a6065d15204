import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';

const RESCHEDULE_MS = 30_000;

/**
 * A repeatable job's schedule. It lives in Redis; every worker upserts it at start and every 30
 * seconds (one schedule whatever the number of workers), so it comes back if Redis lost its
 * data. A subclass names the queue, the job and the period.
 */
export abstract class JobSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;

  protected constructor(
    private readonly queue: Queue,
    private readonly job: string,
    private readonly everyMs: number,
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
        this.job,
        { every: this.everyMs },
        {
          name: this.job,
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
      this.scheduled = true;
    } catch (error) {
      if (this.scheduled)
        this.logger.warn(`Could not schedule ${this.job}: ${(error as Error).message}`);
      this.scheduled = false;
    }
  }
}
