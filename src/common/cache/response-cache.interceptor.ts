import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { Request, Response } from 'express';
import { lastValueFrom, of, type Observable } from 'rxjs';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import type { CachedAnswer } from '../../infra/cache/cached-answer.js';
import { ReadCounts } from '../../infra/cache/read-counts.js';
import { ResponseCache, type CacheResult } from '../../infra/cache/response-cache.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { DomainError } from '../errors/domain-error.js';
import { PreSerialized } from '../http/pre-serialized.js';
import { answerData, countServed, recordLookup } from './cache-lookups.js';
import { cacheSpecOf } from './cache-spec.js';

/**
 * The full path of a cached route (the fast path in CachedReads answered what it could): loads
 * through the controller on a miss, stores the answer, and hands the data on as JSON text for
 * the envelope.
 */
@Injectable()
export class ResponseCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly cache: ResponseCache,
    private readonly counts: ReadCounts,
    @InjectConfig() private readonly config: AppConfig,
    @InjectMetric(METRIC.cacheRequests) private readonly lookups: Counter<'result'>,
  ) {
    for (const result of ['hit', 'miss', 'bypass'] satisfies CacheResult[])
      lookups.inc({ result }, 0);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const spec = cacheSpecOf(context.getHandler())?.(req, this.config);
    if (spec === undefined) return next.handle();

    const { result, answer } = await this.cache.fetch(spec, async (): Promise<CachedAnswer> => {
      try {
        const data: unknown = await lastValueFrom(next.handle());
        return { found: true, json: JSON.stringify(data ?? null) };
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'not_found') {
          return { found: false, message: error.message };
        }
        throw error;
      }
    });

    recordLookup(this.lookups, http.getResponse<Response>(), result);
    countServed(this.counts, req, spec, answer);
    return of(new PreSerialized(answerData(answer)));
  }
}
