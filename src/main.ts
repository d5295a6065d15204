// The api. Telemetry starts before the app is imported, so its libraries load instrumented.
import { startTelemetry } from './telemetry/start-telemetry.js';

await startTelemetry('shop-api');
await import('./bootstrap/api-process.js');
