import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { REQUEST_ID_HEADER, requestIdMiddleware } from '../common/http/request-id.js';
import { requestLog } from '../infra/logging/request-log.js';
import { HttpMetrics } from '../infra/metrics/http-metrics.js';
import type { AppConfig } from '../config/app-config.js';
import { WorkerModule } from '../worker.module.js';
import { buildProviders } from '../modules/payments/payment-providers.js';
import { JsonExpressAdapter } from './json-express-adapter.js';
import { setupSwagger } from './swagger.js';

async function create(
  module: ReturnType<typeof AppModule.forRoot>,
  config: AppConfig,
): Promise<NestExpressApplication> {
  // The payment providers' settings are checked before Nest starts, so that a missing key is
  // the one line a ConfigError is (inside the container Nest would log it with a stack first).
  buildProviders(config);
  const app = await NestFactory.create<NestExpressApplication>(module, new JsonExpressAdapter(), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // A hop count, never "trust everything": a client could then choose its own IP in
  // X-Forwarded-For and step around the rate limits.
  app.set('trust proxy', config.rateLimit.trustProxy);
  // Before every Nest middleware, so even an unknown route gets a request id and is counted.
  app.use(requestIdMiddleware);
  const pino = await app.resolve(PinoLogger);
  app.use(requestLog(() => pino.logger));
  app.use(app.get(HttpMetrics).middleware);
  app.use(helmet());
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      exposedHeaders: [
        REQUEST_ID_HEADER,
        'X-Cache',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'Retry-After',
        'Idempotent-Replayed',
      ],
      maxAge: 600,
    });
  }
  return app;
}

/** The api, configured exactly as in production; tests call this too. */
export async function createApiApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await create(AppModule.forRoot(config), config);
  setupSwagger(app);
  return app;
}

export async function createWorkerApp(config: AppConfig): Promise<NestExpressApplication> {
  return create(WorkerModule.forRoot(config), config);
}
