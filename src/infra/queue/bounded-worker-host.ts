import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { CircuitOpenError } from '../resilience/circuit.js';
import { BlockingWorker } from './blocking-worker.js';
import { runJob, traceIdOf } from './job-context.js';
import type { JobMeta } from './queues.js';

/**
 * How long the workers may take to finish their current jobs when the process is told to stop:
 * one deadline for all of a process's workers, which the process's shutdown hooks may await
 * one after another.
 */
export const WORKER_DRAIN_MS = 7000;

/** A Redis that does not answer a PING within this is taken for away (see beforeApplicationShutdown). */
const REDIS_PROBE_MS = 1000;

/**
 * Base of every processor. On shutdown the worker stops taking jobs and gets WORKER_DRAIN_MS
 * to finish the current one; past that it lets go, and BullMQ's stalled-job check hands the job
 * to another worker (every processor is idempotent, so a second run is harmless).
 *
 * A job that meets a dependency whose circuit is open (CircuitOpenError) is not failed: it is
 * moved to the delayed set until the breaker's next probe, without spending one of its attempts
 * (BullMQ's moveToDelayed, then DelayedError), so however long an outage lasts the job neither
 * runs out of attempts nor sleeps through a long backoff, and runs within seconds of recovery.
 */
export abstract class BoundedWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);

  /** What the job does; it runs in the trace and under the request id of whoever queued it. */
  protected abstract handle(job: Job): Promise<unknown>;

  override async process(job: Job<JobMeta>, token?: string): Promise<unknown> {
    try {
      return await runJob(job, () => this.handle(job));
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) throw error;
      this.logger.debug(`job ${job.id ?? job.name} postponed: ${error.message}`);
      await job.moveToDelayed(error.retryAt, token);
      throw new DelayedError();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Absent when the app failed before its workers were created.
    const worker = (this as unknown as { _worker?: unknown })._worker;
    if (!worker) return;
    if (!(worker instanceof BlockingWorker)) {
      await this.worker.close();
      return;
    }
    const deadline = worker.drainDeadline(WORKER_DRAIN_MS);
    // With Redis away (refusing, or connected but not answering) nothing can be finished or
    // handed back, and a polite close would wait for Redis to take its QUITs: let go at once
    // (the jobs' locks expire, as after a crash).
    if (!(await worker.answers(REDIS_PROBE_MS))) {
      this.logger.warn('Redis does not answer; letting go of the current job, if any');
      worker.abandon();
      return;
    }
    const drained = await Promise.race([
      worker.close().then(() => true),
      new Promise<false>((resolve) =>
        setTimeout(
          () => {
            resolve(false);
          },
          Math.max(0, deadline - Date.now()),
        ).unref(),
      ),
    ]);
    if (!drained) {
      this.logger.warn('Current job did not finish in time; returning it to the queue');
      worker.abandon();
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Worker error: ${error.message}`);
  }

  /** One line per finished job, joined to the request that caused it by request_id. */
  @OnWorkerEvent('completed')
  onCompleted(job: Job<JobMeta>): void {
    this.logger.log({
      msg: 'job completed',
      job: job.name,
      job_id: job.id,
      queue: job.queueName,
      request_id: job.data.request_id,
      trace_id: traceIdOf(job.data.traceparent),
      duration_ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined,
    });
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<JobMeta> | undefined, error: Error): void {
    this.logger.warn({
      msg: `job failed: ${error.message}`,
      job: job?.name,
      job_id: job?.id,
      queue: job?.queueName,
      attempt: job?.attemptsMade,
      request_id: job?.data.request_id,
      trace_id: traceIdOf(job?.data.traceparent),
    });
  }
}
