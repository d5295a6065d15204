import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QUEUES } from './queues.js';

/**
 * BullMQ re-emits its connection's errors on every Queue and prints them when nobody listens.
 * The shared producer connection already logs an outage once (RedisModule), and the outbox
 * retries what could not be queued, so the queues' copies are dropped here.
 */
@Injectable()
export class QueueErrors {
  constructor(
    @InjectQueue(QUEUES.email) email: Queue,
    @InjectQueue(QUEUES.orders) orders: Queue,
    @InjectQueue(QUEUES.reports) reports: Queue,
    @InjectQueue(QUEUES.payments) payments: Queue,
  ) {
    for (const queue of [email, orders, reports, payments]) queue.on('error', () => undefined);
  }
}
