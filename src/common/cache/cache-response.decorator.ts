import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { CACHE_SPEC, type CacheSpecResolver } from './cache-spec.js';
import { ResponseCacheInterceptor } from './response-cache.interceptor.js';

/**
 * Serves the route from the response cache. Answers carry X-Cache: HIT, MISS or BYPASS; a 404
 * is cached briefly too.
 */
export const CacheResponse = (resolver: CacheSpecResolver): MethodDecorator =>
  applyDecorators(
    SetMetadata(CACHE_SPEC, resolver),
    UseInterceptors(ResponseCacheInterceptor),
    ApiResponse({
      status: 200,
      headers: {
        'X-Cache': {
          description: 'HIT (from cache), MISS (loaded now) or BYPASS (cache unavailable)',
          schema: { type: 'string', enum: ['HIT', 'MISS', 'BYPASS'] },
        },
      },
    }),
  );
