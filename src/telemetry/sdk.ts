import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { onTelemetryShutdown } from './telemetry-state.js';

const QUIET = /^\/(health|metrics)(\/|$)/;

function version(): string {
  const manifest = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The SDK with the instrumentations of the service's libraries, exporting OTLP over HTTP. */
export function startSdk(defaultServiceName: string): void {
  // ESM modules are patched through import-in-the-middle, whose loader hook must be in place
  // before they are imported; CommonJS ones (pg, ioredis, express) through require hooks.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? defaultServiceName,
    resource: resourceFromAttributes({
      'service.version': version(),
      'deployment.environment.name': process.env.NODE_ENV ?? 'development',
    }),
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => QUIET.test(req.url ?? ''),
      }),
      // A span per middleware (a dozen per request) would cost more than it tells; the route
      // handler's span and the HTTP span named by route template are kept.
      new ExpressInstrumentation({
        ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
      }),
      // SQL and Redis spans only inside a trace: the outbox relay's and BullMQ's polling would
      // otherwise make a one-span trace every second.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      // The command name only: arguments carry job data (mail addresses) and cache keys.
      new IORedisInstrumentation({
        dbStatementSerializer: (command) => command,
        requireParentSpan: true,
      }),
    ],
  });
  sdk.start();
  onTelemetryShutdown(() => sdk.shutdown());
}
