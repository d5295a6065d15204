import { Injectable, type NestMiddleware, type Type } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import type { Counter } from 'prom-client';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { ResponseCache } from '../../infra/cache/response-cache.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { RateLimiter } from '../../infra/rate-limit/rate-limiter.js';
import { DomainError } from '../errors/domain-error.js';
import { wrapSerialized } from '../interceptors/envelope.interceptor.js';
import { PreSerialized } from '../http/pre-serialized.js';
import type { CacheSpecResolver } from './cache-spec.js';

/**
 * The fast path of cached public reads. Bound to the routes of the table, it runs after request
 * ids, metrics, security headers and request logging, counts the request against the same
 * general rate limit as every route, and answers a cache hit at once: the cached JSON in its
 * envelope, with no routing, guards, interceptors or serialisation. A miss (or an unusable cache)
 * goes on to the controller, whose @CacheResponse interceptor loads, stores and counts the cache
 * lookup as usual.
 */
export function CachedReads(
  routes: Readonly<Record<string, CacheSpecResolver>>,
): Type<NestMiddleware> {
  @Injectable()
  class CachedReadsMiddleware implements NestMiddleware {
    constructor(
      private readonly cache: ResponseCache,
      private readonly limiter: RateLimiter,
      @InjectConfig() private readonly config: AppConfig,
      @InjectMetric(METRIC.cacheRequests) private readonly lookups: Counter<'result'>,
    ) {}

    async use(req: Request, res: Response, next: NextFunction): Promise<void> {
      const resolve = routes[(req.route as { path?: string } | undefined)?.path ?? ''];
      if (!resolve || req.method !== 'GET') {
        next();
        return;
      }
      const spec = resolve(req, this.config);
      // Both Redis calls at once (one write with auto-pipelining); the guard will not count a
      // miss that goes on to the controller again. An invalid request does no cache work.
      const [cached] = await Promise.all([
        spec === undefined ? undefined : this.cache.peek(spec),
        this.limiter.count(req, res),
      ]);
      if (cached === undefined || cached === 'bypass') {
        next();
        return;
      }
      this.lookups.inc({ result: 'hit' });
      res.setHeader('X-Cache', 'HIT');
      if (cached.startsWith('M')) throw new DomainError('not_found', cached.slice(1));
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(wrapSerialized(200, new PreSerialized(cached.slice(1))).json);
    }
  }
  return CachedReadsMiddleware;
}
