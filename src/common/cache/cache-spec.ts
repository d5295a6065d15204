import type { Request } from 'express';
import type { AppConfig } from '../../config/app-config.js';
import type { CacheSpec } from '../../infra/cache/response-cache.js';

export const CACHE_SPEC = 'cache:spec';

/** Maps a request to its cache entry; runs before validation, so it reads the raw request. */
export type CacheSpecResolver = (req: Request, config: AppConfig) => CacheSpec;
