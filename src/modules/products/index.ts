/**
 * The products module's public surface: stock and sales for orders, cache invalidation; for
 * reviews, whether a product is on sale and its rating (ProductRatings).
 */
export { PRODUCT_STOCK_CHECK } from './product.entity.js';
export { ProductsHttpModule } from './products-http.module.js';
export { ProductsCache } from './products.cache.js';
export { ProductsModule } from './products.module.js';
export { lockProductsInIdOrder, ProductsRepository } from './products.repository.js';
export type { StockLine } from './products.repository.js';
export { ProductRatings, type LockedRating } from './product-ratings.js';
export { ProductsService } from './products.service.js';
export { ProductsWorkerModule } from './products-worker.module.js';
