import type { Response } from 'express';
import type { Counter } from 'prom-client';
import type { CachedAnswer } from '../../infra/cache/cached-answer.js';
import type { CacheResult } from '../../infra/cache/response-cache.js';
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
