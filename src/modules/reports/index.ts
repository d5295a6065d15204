/** The reports module's public surface. */
export { ReportsHttpModule } from './reports-http.module.js';
export { ReportsWorkerModule } from './reports-worker.module.js';
