import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { CachedReads } from '../common/cache/cached-reads.js';
import { EarlyRefusals } from '../common/early/early-refusals.js';
import { ensureDatabase } from '../infra/database/ensure-database.js';
import { checkRedisDatabase } from '../infra/redis/redis-database-check.js';
import { REQUEST_ID_HEADER, requestIdMiddleware } from '../common/http/request-id.js';
import { requestLog } from '../infra/logging/request-log.js';
import { HttpMetrics } from '../infra/metrics/http-metrics.js';
import { RequestTimeout } from '../infra/request-timeout/request-timeout.js';
import type { AppConfig } from '../config/app-config.js';
import { WorkerModule } from '../worker.module.js';
import { buildProviders } from '../modules/payments/index.js';
import { JsonExpressAdapter, serverOptions } from './json-express-adapter.js';
import { setupSwagger } from './swagger.js';

async function create(
  module: ReturnType<typeof AppModule.forRoot>,
  config: AppConfig,
  beforeRoutes: (app: NestExpressApplication, adapter: JsonExpressAdapter) => void = () =>
    undefined,
): Promise<NestExpressApplication> {
  // The payment providers' settings are checked before Nest starts, so that a missing key is
  // the one line a ConfigError is (inside the container Nest would log it with a stack first).
  buildProviders(config);
  // So is the database: one that cannot be reached, refuses the login, or is missing and may not
  // be created is one line (a DatabaseSetupError), not Nest's retries and stack traces.
  const created = await ensureDatabase(config.database.url, {
    connectTimeoutMs: config.database.connectTimeoutMs,
    retries: 3,
  });
  await checkRedisDatabase(config.redis.connection);
  const adapter = new JsonExpressAdapter(serverOptions(config));
  const app = await NestFactory.create<NestExpressApplication>(module, adapter, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  beforeRoutes(app, adapter);
  app.useLogger(app.get(Logger));
  if (created) app.get(Logger).log('Created the database named in DATABASE_URL', 'Database');
  app.disable('x-powered-by');
  // A hop count, never "trust everything": a client could then choose its own IP in
  // X-Forwarded-For and step around the rate limits.
  app.set('trust proxy', config.rateLimit.trustProxy);
  // Before every Nest middleware, so even an unknown route gets a request id and is counted.
  app.use(requestIdMiddleware);
  const pino = await app.resolve(PinoLogger);
  app.use(requestLog(() => pino.logger, config.http.slowRequestMs));
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
  // Cached reads and early refusals are answered in front of their routes, which Nest mounts
  // when the app starts.
  const app = await create(AppModule.forRoot(config), config, (nest, adapter) => {
    adapter.putInFront(
      new Map([...nest.get(CachedReads).handlers(), ...nest.get(EarlyRefusals).handlers()]),
    );
  });
  app.use(app.get(RequestTimeout).middleware);
  setupSwagger(app);
  return app;
}

export async function createWorkerApp(config: AppConfig): Promise<NestExpressApplication> {
  return create(WorkerModule.forRoot(config), config);
}
