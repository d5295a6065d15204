import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** A route whose handler carries some marker, as its controller declares it. */
export interface MarkedRoute<Mark> {
  /** As Express mounts it: "/api/products/:id". */
  readonly path: string;
  readonly method: RequestMethod;
  readonly controller: Type;
  readonly handler: object;
  /** The handler's name on the controller's prototype. */
  readonly name: string;
  readonly mark: Mark;
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

/** What JsonExpressAdapter.putInFront keys a front handler by: "POST /api/orders". */
export const frontKey = (method: RequestMethod | string, path: string): string =>
  `${typeof method === 'string' ? method.toUpperCase() : RequestMethod[method]} ${routePath(path)}`;

/**
 * Every route whose handler `markOf` finds a mark on, from the controllers' own metadata (the
 * paths of @Controller and of the method decorator). The app sets no global prefix or URI
 * versioning, which would be part of the mounted path.
 */
export function discoverMarkedRoutes<Mark>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  markOf: (handler: object) => Mark | undefined,
): MarkedRoute<Mark>[] {
  return discovery.getControllers().flatMap(({ metatype }) => {
    if (typeof metatype !== 'function') return [];
    const controller = metatype as Type;
    const prototype = controller.prototype as Record<string, unknown>;
    return scanner.getAllMethodNames(prototype).flatMap((name): MarkedRoute<Mark>[] => {
      const handler = prototype[name];
      if (typeof handler !== 'function') return [];
      const mark = markOf(handler);
      if (mark === undefined) return [];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      return pathsOf(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((base) =>
        pathsOf(Reflect.getMetadata(PATH_METADATA, handler)).map((own) => ({
          path: routePath(base, own),
          method,
          controller,
          handler,
          name,
          mark,
        })),
      );
    });
  });
}
