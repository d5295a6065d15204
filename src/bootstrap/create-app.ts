import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { requestIdMiddleware } from '../common/http/request-id.js';
import type { AppConfig } from '../config/app-config.js';
import { WorkerModule } from '../worker.module.js';
import { setupSwagger } from './swagger.js';

async function create(
  module: ReturnType<typeof AppModule.forRoot>,
  config: AppConfig,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', config.rateLimit.trustProxy);
  // Before every Nest middleware, so even an unknown route gets a request id.
  app.use(requestIdMiddleware);
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
