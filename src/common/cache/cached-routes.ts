import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { cacheSpecOf, type CacheSpecResolver } from './cache-spec.js';

/** A GET route served from the response cache, as its controller declares it. */
export interface CachedRoute {
  /** As Express mounts it: "/api/products/:id". */
  readonly path: string;
  readonly controller: Type;
  readonly handler: object;
  readonly resolve: CacheSpecResolver;
}

const pathsOf = (metadata: unknown): string[] => {
  if (typeof metadata === 'string') return [metadata];
  return Array.isArray(metadata)
    ? metadata.filter((p): p is string => typeof p === 'string')
    : [''];
};

/** "/api/products/" and "api/products" are both the route "/api/products". */
export const routePath = (...parts: string[]): string =>
  `/${parts.join('/')}`.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');

/**
 * Every GET route whose handler carries @CacheResponse, found in the controllers' own metadata
 * (the paths of @Controller and @Get, the resolver of @CacheResponse): the decorator is the one
 * place a cached route is declared. (The app sets no global prefix or URI versioning, which would
 * be part of the mounted path.)
 */
export function discoverCachedRoutes(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
): CachedRoute[] {
  return discovery.getControllers().flatMap(({ metatype }) => {
    if (typeof metatype !== 'function') return [];
    const controller = metatype as Type;
    const prototype = controller.prototype as Record<string, unknown>;
    return scanner.getAllMethodNames(prototype).flatMap((name): CachedRoute[] => {
      const handler = prototype[name];
      if (typeof handler !== 'function') return [];
      const resolve = cacheSpecOf(handler);
      if (resolve === undefined) return [];
      if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) {
        throw new Error(`@CacheResponse on ${controller.name}.${name}, which is not a GET route`);
      }
      return pathsOf(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((base) =>
        pathsOf(Reflect.getMetadata(PATH_METADATA, handler)).map((own) => ({
          path: routePath(base, own),
          controller,
          handler,
          resolve,
        })),
      );
    });
  });
}
