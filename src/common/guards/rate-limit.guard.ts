import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { rateLimitTracker } from '../../infra/rate-limit/rate-limit-key.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** X-RateLimit-Limit, -Remaining and -Reset, suffixed with `suffix` (none: the plain ones). */
function writeRateLimitHeaders(
  res: Response,
  suffix: string,
  limit: number,
  remaining: number,
  timeToExpire: number,
): void {
  res.setHeader(`X-RateLimit-Limit${suffix}`, limit);
  res.setHeader(`X-RateLimit-Remaining${suffix}`, remaining);
  res.setHeader(`X-RateLimit-Reset${suffix}`, timeToExpire);
}

/**
 * A Reflector that reads each decorator's metadata once per target. The throttler asks for the
 * same dozen keys of the same handler and class on every request, cached hits included; the
 * metadata is written when the classes are defined and never changes after.
 */
class MetadataOnceReflector extends Reflector {
  // Keyed by the app's handlers and classes, which live as long as the app anyway.
  private readonly known = new Map<object, Map<unknown, { value: unknown }>>();

  override get(key: unknown, target: Type | object): unknown {
    let byKey = this.known.get(target);
    if (byKey === undefined) {
      byKey = new Map();
      this.known.set(target, byKey);
    }
    let read = byKey.get(key);
    if (read === undefined) {
      read = { value: super.get(key, target as Type) };
      byKey.set(key, read);
    }
    return read.value;
  }
}

/**
 * The rate limit: the throttler's limits (ThrottlerModule's configuration and the @SkipThrottle,
 * @Throttle and @StrictRateLimit decorators of the route), counted in its Redis storage. It is
 * Nest's first guard, and the cached-read fast path calls the same code through enforce().
 *
 * A request is counted once per limit, whoever asks: the count is remembered per request, so
 * the guard of a cache miss that the fast path already counted reads that count instead of
 * adding another. The client is counted by its IP as Express resolved it (after TRUST_PROXY).
 *
 * Headers: every limit but the default one has its own, suffixed with its name
 * (X-RateLimit-Remaining-strict). The plain X-RateLimit-* describe the limit nearest to refusing
 * the request, the one with the fewest requests left: the general limit on most routes, the
 * strict one on a login. So a 429 always says Remaining 0 in the plain headers, whichever limit
 * refused it, and carries a plain Retry-After (the library would suffix it with the limit's name
 * for any limit but the default one).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly counted = new WeakMap<object, Map<string, Promise<ThrottlerStorageRecord>>>();
  /** Per request: the requests left of the limit the plain headers describe. */
  private readonly nearest = new WeakMap<object, number>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
  ) {
    super(options, storage, new MetadataOnceReflector());
  }

  /** The route's limits for a request outside Nest's guard chain; throws a 429 when passed. */
  async enforce(req: Request, res: Response, controller: Type, handler: object): Promise<void> {
    await this.canActivate(new ExecutionContextHost([req, res], controller, handler as () => void));
  }

  protected override async handleRequest({
    context,
    limit,
    ttl,
    throttler,
    blockDuration,
    getTracker,
    generateKey,
  }: ThrottlerRequest): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    const record = await this.countOnce(req, name, () =>
      this.storageService.increment(key, ttl, limit, blockDuration, name),
    );
    // A 429 carries the headers too (Remaining 0), so a client reads one set of headers always.
    const remaining = record.isBlocked ? 0 : Math.max(0, limit - record.totalHits);
    if (name !== 'default') {
      writeRateLimitHeaders(res, `-${name}`, limit, remaining, record.timeToExpire);
    }
    const nearest = this.nearest.get(req);
    if (nearest === undefined || remaining < nearest) {
      this.nearest.set(req, remaining);
      writeRateLimitHeaders(res, '', limit, remaining, record.timeToExpire);
    }
    if (record.isBlocked) {
      res.setHeader('Retry-After', Math.max(1, record.timeToBlockExpire));
      await this.throwThrottlingException(context, { ...record, limit, ttl, key, tracker });
    }
    return true;
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(rateLimitTracker(req as unknown as Request));
  }

  private countOnce(
    req: Request,
    limit: string,
    count: () => Promise<ThrottlerStorageRecord>,
  ): Promise<ThrottlerStorageRecord> {
    let byLimit = this.counted.get(req);
    if (byLimit === undefined) {
      byLimit = new Map();
      this.counted.set(req, byLimit);
    }
    let record = byLimit.get(limit);
    if (record === undefined) {
      record = count();
      byLimit.set(limit, record);
    }
    return record;
  }
}
