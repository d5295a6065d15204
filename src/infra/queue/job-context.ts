import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Job } from 'bullmq';
import { currentRequestId, withRequestId } from '../../common/http/request-context.js';
import type { JobMeta } from './queues.js';

/**
 * What a job carries of the request that queued it: the request id, and the trace context as
 * W3C traceparent/tracestate (absent when tracing is off: the API's propagator is a no-op).
 */
export function currentJobMeta(): JobMeta {
  const meta: JobMeta = {};
  const requestId = currentRequestId();
  if (requestId !== undefined) meta.request_id = requestId;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (carrier.traceparent) meta.traceparent = carrier.traceparent;
  if (carrier.tracestate) meta.tracestate = carrier.tracestate;
  return meta;
}

const tracer = trace.getTracer('shop-queue');

/**
 * Runs a job as a consumer span that continues the trace of the request that queued it, with
 * that request's id on every log line the job writes.
 */
export function runJob<T>(job: Job<JobMeta>, work: () => Promise<T>): Promise<T> {
  const { traceparent, tracestate, request_id: requestId } = job.data;
  const parent = traceparent
    ? propagation.extract(ROOT_CONTEXT, { traceparent, ...(tracestate ? { tracestate } : {}) })
    : ROOT_CONTEXT;
  const attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'process',
    'messaging.destination.name': job.queueName,
    'messaging.message.id': job.id ?? '',
    'bullmq.job.name': job.name,
    'bullmq.job.attempt': job.attemptsMade + 1,
  };
  return withRequestId(requestId, () =>
    tracer.startActiveSpan(
      `${job.queueName} process ${job.name}`,
      { kind: SpanKind.CONSUMER, attributes },
      parent,
      async (span) => {
        try {
          return await work();
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    ),
  );
}

/** The trace id in a W3C traceparent, for the lines logged about a job after it ran. */
export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '')?.[1];
