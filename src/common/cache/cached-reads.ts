import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Counter } from 'prom-client';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { ReadCounts } from '../../infra/cache/read-counts.js';
import { ResponseCache } from '../../infra/cache/response-cache.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { RateLimitGuard } from '../guards/rate-limit.guard.js';
import { successEnvelope } from '../http/envelope.js';
import { refusedBodyOf } from '../http/json-body.middleware.js';
import { frontKey } from '../http/front-routes.js';
import { sendJson } from '../http/pre-serialized.js';
import { answerData, countServed, recordLookup } from './cache-lookups.js';
import { discoverCachedRoutes, type CachedRoute } from './cached-routes.js';

/**
 * The fast path of cached reads: a handler in front of each @CacheResponse route's own, on the
 * same Express route (see JsonExpressAdapter.putInFront), so it sees exactly the requests Nest's
 * router gives that route. It counts the request against the route's rate limits (the guard's
 * code, which then does not count it again) and looks the answer up at once, both in one Redis
 * write; a hit is answered there, in the one envelope, with no validation, serialisation or Nest
 * guard, interceptor or controller. A miss, or a cache it cannot use, goes on to the route,
 * whose ResponseCacheInterceptor loads and stores. Errors (a 429, a cached 404) go to Express's
 * error handling, which is Nest's exception filter.
 */
@Injectable()
export class CachedReads {
  private readonly routes: readonly CachedRoute[];

  constructor(
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    private readonly cache: ResponseCache,
    private readonly rateLimit: RateLimitGuard,
    private readonly counts: ReadCounts,
    @InjectConfig() private readonly config: AppConfig,
    @InjectMetric(METRIC.cacheRequests) private readonly lookups: Counter<'result'>,
  ) {
    this.routes = discoverCachedRoutes(discovery, scanner);
  }

  /** The fast-path handler of each cached route, by frontKey. */
  handlers(): ReadonlyMap<string, RequestHandler> {
    return new Map(
      this.routes.map((route) => [frontKey('GET', route.path), this.handlerFor(route)]),
    );
  }

  private handlerFor(route: CachedRoute): RequestHandler {
    return (req: Request, res: Response, next: NextFunction): void => {
      // A refused body is answered by the route's guards, once the rate limit counted it.
      if (req.method !== 'GET' || refusedBodyOf(req)) {
        next();
        return;
      }
      this.answer(route, req, res).then((answered) => {
        if (!answered) next();
      }, next);
    };
  }

  /** True when the cache answered. */
  private async answer(route: CachedRoute, req: Request, res: Response): Promise<boolean> {
    const spec = route.resolve(req, this.config);
    const [cached] = await Promise.all([
      spec === undefined ? undefined : this.cache.peek(spec),
      this.rateLimit.enforce(req, res, route.controller, route.handler),
    ]);
    if (spec === undefined || cached === undefined || cached === 'bypass') return false;
    recordLookup(this.lookups, res, 'hit');
    countServed(this.counts, req, spec, cached);
    sendJson(res, 200, successEnvelope(200, answerData(cached)));
    return true;
  }
}
