import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { CacheSpecResolver } from '../../common/cache/cache-spec.js';
import { parseId } from '../../common/validation/id.js';
import { ResponseCache } from '../../infra/cache/response-cache.js';

/** The read counts of product detail answers: the views that ProductViewsFlush writes back. */
export const PRODUCT_VIEWS = 'product-views';

/** Every product list, hot list and search depends on this tag. */
const CATALOG = 'catalog';
const productTag = (id: number | string): string => `product:${id}`;

/** The query string with its parameters sorted, so ?a=1&b=2 and ?b=2&a=1 share an entry. */
const canonicalQuery = (req: Request): string => {
  const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  query.sort();
  return query.toString();
};

/**
 * Keyed by the id ParseIdPipe will accept; anything else is not cached (the pipe refuses it).
 * Every product answered, from the cache or not, counts as a view.
 */
export const productDetailCache: CacheSpecResolver = (req, config) => {
  const id = parseId(String(req.params.id));
  if (id === undefined) return undefined;
  return {
    key: `product:${id}`,
    tags: [productTag(id)],
    ttlSeconds: config.cache.ttl,
    counted: { group: PRODUCT_VIEWS, id },
  };
};

export const productListCache: CacheSpecResolver = (req, config) => ({
  key: `products:${req.path}?${canonicalQuery(req)}`,
  tags: [CATALOG],
  ttlSeconds: config.cache.listTtl,
});

/**
 * The one way to tell the catalog cache that products changed: product writes here, stock and
 * sales changes by orders. Call it after the change has committed.
 */
@Injectable()
export class ProductsCache {
  constructor(private readonly cache: ResponseCache) {}

  invalidate(productIds: readonly number[]): Promise<void> {
    return this.cache.invalidate([CATALOG, ...new Set(productIds.map(productTag))]);
  }
}
