import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EarlyRefusals } from './common/early/early-refusals.js';
import { CachedReads } from './common/cache/cached-reads.js';
import { GLOBAL_GUARD_PROVIDERS } from './common/guards/global-guards.js';
import { HTTP_PIPELINE_PROVIDERS } from './common/http/http-pipeline.js';
import { JsonBodyMiddleware, RawBodyMiddleware } from './common/http/json-body.middleware.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CacheModule } from './infra/cache/cache.module.js';
import { DatabaseModule } from './infra/database/database.module.js';
import { LoggingModule } from './infra/logging/logging.module.js';
import { MailWorkerModule } from './infra/mail/mail-worker.module.js';
import { MetricsModule } from './infra/metrics/metrics.module.js';
import { QueueDashboardModule } from './infra/queue/queue-dashboard.module.js';
import { QueueModule } from './infra/queue/queue.module.js';
import { RateLimitModule } from './infra/rate-limit/rate-limit.module.js';
import { RedisModule } from './infra/redis/redis.module.js';
import { RequestTimeoutModule } from './infra/request-timeout/request-timeout.module.js';
import { AuthHttpModule } from './modules/auth/index.js';
import { AuthModule } from './modules/auth/index.js';
import { FlashSalesHttpModule, FlashSalesWorkerModule } from './modules/flash-sales/index.js';
import { HealthModule } from './modules/health/index.js';
import { OrdersHttpModule } from './modules/orders/index.js';
import { OrdersWorkerModule } from './modules/orders/index.js';
import { ProductsHttpModule, ProductsWorkerModule } from './modules/products/index.js';
import { ReportsHttpModule } from './modules/reports/index.js';
import { ReportsWorkerModule } from './modules/reports/index.js';
import { ReviewsHttpModule } from './modules/reviews/index.js';
import { UsersHttpModule } from './modules/users/index.js';
import {
  PaymentsHttpModule,
  PaymentsWorkerModule,
  RAW_BODY_ROUTES,
} from './modules/payments/index.js';

/** The queue processors: in the worker process, and in the api too when RUN_WORKERS is true. */
export const WORKER_MODULES = [
  MailWorkerModule,
  OrdersWorkerModule,
  PaymentsWorkerModule,
  ReportsWorkerModule,
  ProductsWorkerModule,
  FlashSalesWorkerModule,
];

/** The api process: every public route, plus the queue processors when RUN_WORKERS is true. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DiscoveryModule,
        LoggingModule,
        DatabaseModule,
        RedisModule,
        CacheModule,
        QueueModule,
        RateLimitModule,
        MetricsModule.forRoot(config),
        RequestTimeoutModule,
        HealthModule,
        AuthModule,
        AuthHttpModule,
        // The profile's AccountCredentials come from auth, wired here: users never imports auth.
        UsersHttpModule.register(AuthModule),
        ProductsHttpModule,
        OrdersHttpModule,
        ReviewsHttpModule,
        PaymentsHttpModule,
        FlashSalesHttpModule,
        ReportsHttpModule,
        QueueDashboardModule.forRoot(config),
        ...(config.runWorkers ? WORKER_MODULES : []),
      ],
      providers: [
        ...HTTP_PIPELINE_PROVIDERS,
        ...GLOBAL_GUARD_PROVIDERS,
        CachedReads,
        EarlyRefusals,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Provider notifications keep their raw bytes: their signatures are over exactly those.
    consumer.apply(RawBodyMiddleware).forRoutes(...RAW_BODY_ROUTES);
    consumer
      .apply(JsonBodyMiddleware)
      .exclude(...RAW_BODY_ROUTES)
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
