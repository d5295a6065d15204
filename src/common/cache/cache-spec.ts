import type { Request } from 'express';
import type { AppConfig } from '../../config/app-config.js';
import type { CacheSpec } from '../../infra/cache/response-cache.js';

export const CACHE_SPEC = 'cache:spec';

/**
 * Maps a request to its cache entry. It runs before validation, so it reads the raw request; for
 * a request it can tell is invalid (an id that is no id) it answers undefined: no cache work at
 * all, and the route's own validation answers the 400. Nothing is read or written in Redis for
 * it, so junk cannot leave keys behind.
 */
export type CacheSpecResolver = (req: Request, config: AppConfig) => CacheSpec | undefined;

/** The resolver a route handler was given by @CacheResponse, if it was. */
export function cacheSpecOf(handler: object): CacheSpecResolver | undefined {
  const resolver: unknown = Reflect.getMetadata(CACHE_SPEC, handler);
  return typeof resolver === 'function' ? (resolver as CacheSpecResolver) : undefined;
}
