/** The health module's public surface. */
export { HealthModule } from './health.module.js';
export { ServingState } from './serving-state.js';
