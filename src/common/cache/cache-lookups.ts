import type { Request, Response } from 'express';
import type { Counter } from 'prom-client';
import type { CachedAnswer } from '../../infra/cache/cached-answer.js';
import type { ReadCounts } from '../../infra/cache/read-counts.js';
import type { CacheResult, CacheSpec } from '../../infra/cache/response-cache.js';
import { DomainError } from '../errors/domain-error.js';

/** How a cache lookup went, said once for both paths: the X-Cache header and the counter. */
export function recordLookup(lookups: Counter<'result'>, res: Response, result: CacheResult): void {
  lookups.inc({ result });
  res.setHeader('X-Cache', result.toUpperCase());
}

/** The data of a cached answer as JSON text; a cached not-found is the route's 404. */
export function answerData(answer: CachedAnswer): string {
  if (!answer.found) throw new DomainError('not_found', answer.message);
  return answer.json;
}

/**
 * A found answer of a route whose spec counts its reads (a product's views) is counted, once
 * per request, by whichever path served it: the fast path's hit, or the interceptor's miss,
 * coalesced hit or bypass. A HEAD (the route's headers only) is no read. Counting returns at
 * once (see ReadCounts).
 */
export function countServed(
  counts: ReadCounts,
  req: Request,
  spec: CacheSpec,
  answer: CachedAnswer,
): void {
  if (answer.found && spec.counted && req.method === 'GET') counts.count(spec.counted);
}
