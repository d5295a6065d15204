import { Module, type DynamicModule } from '@nestjs/common';
import { HTTP_PIPELINE_PROVIDERS } from './common/http/http-pipeline.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CacheModule } from './infra/cache/cache.module.js';
import { DatabaseModule } from './infra/database/database.module.js';
import { LoggingModule } from './infra/logging/logging.module.js';
import { MetricsModule } from './infra/metrics/metrics.module.js';
import { QueueModule } from './infra/queue/queue.module.js';
import { WORKER_MODULES } from './app.module.js';
import { RedisModule } from './infra/redis/redis.module.js';
import { HealthModule } from './modules/health/index.js';

/**
 * The worker process: the same infrastructure and domain modules as the api, its queue
 * processors, and only /health/* and /metrics over HTTP (no /api routes).
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        RedisModule,
        CacheModule,
        QueueModule,
        MetricsModule.forRoot(config),
        HealthModule,
        ...WORKER_MODULES,
      ],
      providers: [...HTTP_PIPELINE_PROVIDERS],
    };
  }
}
