import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { Request, Response } from 'express';
import { lastValueFrom, of, type Observable } from 'rxjs';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { ResponseCache, type Cached, type CacheResult } from '../../infra/cache/response-cache.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { DomainError } from '../errors/domain-error.js';
import { PreSerialized } from '../http/pre-serialized.js';
import { CACHE_SPEC, type CacheSpecResolver } from './cache-spec.js';

@Injectable()
export class ResponseCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly cache: ResponseCache,
    @InjectConfig() private readonly config: AppConfig,
    @InjectMetric(METRIC.cacheRequests) private readonly lookups: Counter<'result'>,
  ) {
    for (const result of ['hit', 'miss', 'bypass'] satisfies CacheResult[])
      lookups.inc({ result }, 0);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const resolve = this.reflector.get<CacheSpecResolver>(CACHE_SPEC, context.getHandler());
    const http = context.switchToHttp();
    const spec = resolve(http.getRequest<Request>(), this.config);
    if (spec === undefined) return next.handle();

    const { result, value } = await this.cache.fetch(spec, async (): Promise<Cached> => {
      try {
        return `D${JSON.stringify(await lastValueFrom(next.handle()))}`;
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'not_found') return `M${error.message}`;
        throw error;
      }
    });

    this.lookups.inc({ result });
    http.getResponse<Response>().setHeader('X-Cache', result.toUpperCase());
    if (value.startsWith('M')) throw new DomainError('not_found', value.slice(1));
    return of(new PreSerialized(value.slice(1)));
  }
}
