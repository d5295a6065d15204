/** The flash-sales module's public surface: its route and worker modules. */
export { FlashSalesHttpModule } from './flash-sales-http.module.js';
export { FlashSalesWorkerModule } from './flash-sales-worker.module.js';
