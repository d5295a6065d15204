/** The payments module's public surface. */
export { PaymentsHttpModule } from './payments-http.module.js';
export { PaymentsWorkerModule } from './payments-worker.module.js';
export { RAW_BODY_ROUTES } from './raw-body-routes.js';
export { buildProviders } from './payment-providers.js';
