/** The orders module's public surface. */
export { OrdersHttpModule } from './orders-http.module.js';
export { OrdersWorkerModule } from './orders-worker.module.js';
