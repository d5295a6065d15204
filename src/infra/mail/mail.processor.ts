import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BoundedWorkerHost } from '../queue/bounded-worker-host.js';
import { QUEUES, type MailJob } from '../queue/queues.js';
import { MailDeliveriesRepository } from './mail-deliveries.repository.js';
import { MailTransport } from './mail-transport.js';
import { renderMail } from './templates.js';

export class MailBusyError extends Error {
  override readonly name = 'MailBusyError';
}

/** Sends one mail per job, once per mail key however often the job runs. */
@Processor(QUEUES.email, { concurrency: 5 })
export class MailProcessor extends BoundedWorkerHost {
  constructor(
    private readonly deliveries: MailDeliveriesRepository,
    private readonly transport: MailTransport,
  ) {
    super();
  }

  protected async handle(job: Job<MailJob>): Promise<'sent' | 'already sent'> {
    const { key, to, template } = job.data;
    const claim = await this.deliveries.claim(key);
    if (claim === 'sent') return 'already sent';
    if (claim === 'busy') throw new MailBusyError(`mail ${key} is being sent by another worker`);
    try {
      await this.transport.send({
        to,
        ...renderMail(template),
        messageId: `<${key}@shop.invalid>`,
      });
    } catch (error) {
      await this.deliveries.release(key);
      throw error;
    }
    await this.deliveries.markSent(key);
    return 'sent';
  }
}
