import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { JobSchedule } from '../../infra/queue/job-schedule.js';
import { JOBS, QUEUES } from '../../infra/queue/queues.js';

/** The orders sweep, every ORDER_SWEEP_INTERVAL seconds. */
@Injectable()
export class OrderSweepSchedule extends JobSchedule {
  constructor(@InjectQueue(QUEUES.orders) queue: Queue, @InjectConfig() config: AppConfig) {
    super(queue, JOBS.ordersSweep, config.orders.sweepInterval * 1000);
  }
}
