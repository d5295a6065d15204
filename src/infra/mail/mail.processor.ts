import { Processor } from '@nestjs/bullmq';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Counter } from 'prom-client';
import { Database } from '../database/database.js';
import { BoundedWorkerHost } from '../queue/bounded-worker-host.js';
import { QUEUES, type MailJob } from '../queue/queues.js';
import { MailDeliveriesRepository } from './mail-deliveries.repository.js';
import { MailLinks } from './mail-links.js';
import { isRecipientRejection, MAIL_REJECTED_METRIC, MailTransport } from './mail-transport.js';
import { renderMail } from './templates.js';

/** How long a sent mail's record may wait for the database before the job fails. */
export const MARK_SENT_PATIENCE_MS = 60_000;

export class MailBusyError extends Error {
  override readonly name = 'MailBusyError';
}

/** Sends one mail per job, once per mail key however often the job runs. */
@Processor(QUEUES.email, { concurrency: 5 })
export class MailProcessor extends BoundedWorkerHost {
  constructor(
    private readonly database: Database,
    private readonly deliveries: MailDeliveriesRepository,
    private readonly transport: MailTransport,
    private readonly links: MailLinks,
    @InjectMetric(MAIL_REJECTED_METRIC) private readonly rejected: Counter,
  ) {
    super();
  }

  protected async handle(job: Job<MailJob>): Promise<'sent' | 'already sent' | 'rejected'> {
    const { key, to, template } = job.data;
    const claim = await this.deliveries.claim(this.database.pool, key);
    if (claim === 'sent') return 'already sent';
    if (claim === 'rejected') return 'rejected';
    if (claim === 'busy') throw new MailBusyError(`mail ${key} is being sent by another worker`);
    try {
      await this.transport.send({
        to,
        ...renderMail(template, (purpose, tokenId) => this.links.url(purpose, tokenId)),
        messageId: `<${key}@shop.invalid>`,
      });
    } catch (error) {
      if (isRecipientRejection(error)) return this.reject(key, error as Error);
      await this.deliveries.release(this.database.pool, key);
      throw error;
    }
    await this.recordSent(key);
    return 'sent';
  }

  /**
   * The server refused this recipient for good: recorded, counted, and failed without retries
   * (UnrecoverableError), so one bad address costs one attempt, not JOB_ATTEMPTS of them.
   */
  private async reject(key: string, error: Error): Promise<never> {
    const reply = (error as { response?: unknown }).response;
    await this.deliveries.markRejected(
      this.database.pool,
      key,
      typeof reply === 'string' ? reply : error.message,
    );
    this.rejected.inc();
    throw new UnrecoverableError(`mail ${key} refused for good: ${error.message}`);
  }

  /**
   * The mail is out; what is left is to remember that. Failing the job here would leave the
   * claim 'sending' and, once it is stale, send the mail again: so a database blip is waited
   * out (MARK_SENT_PATIENCE_MS) instead. Only a crash in this window can still send twice.
   */
  private async recordSent(key: string): Promise<void> {
    const deadline = Date.now() + MARK_SENT_PATIENCE_MS;
    for (;;) {
      try {
        await this.deliveries.markSent(this.database.pool, key);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        this.logger.warn(`mail ${key} sent but not yet recorded: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}
