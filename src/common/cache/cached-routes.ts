import { RequestMethod, type Type } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { discoverMarkedRoutes } from '../http/front-routes.js';
import { cacheSpecOf, type CacheSpecResolver } from './cache-spec.js';

/** A GET route served from the response cache, as its controller declares it. */
export interface CachedRoute {
  /** As Express mounts it: "/api/products/:id". */
  readonly path: string;
  readonly controller: Type;
  readonly handler: object;
  readonly resolve: CacheSpecResolver;
}

/**
 * Every GET route whose handler carries @CacheResponse (see discoverMarkedRoutes): the
 * decorator is the one place a cached route is declared.
 */
export function discoverCachedRoutes(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
): CachedRoute[] {
  return discoverMarkedRoutes(discovery, scanner, cacheSpecOf).map(
    ({ path, method, controller, handler, name, mark }) => {
      if (method !== RequestMethod.GET) {
        throw new Error(`@CacheResponse on ${controller.name}.${name}, which is not a GET route`);
      }
      return { path, controller, handler, resolve: mark };
    },
  );
}
