// The worker. Telemetry starts before the app is imported, so its libraries load instrumented.
import { startTelemetry } from './telemetry/start-telemetry.js';

await startTelemetry('shop-worker');
await import('./bootstrap/worker-process.js');
