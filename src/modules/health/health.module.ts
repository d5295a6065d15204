import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from '../../infra/redis/redis.health.js';
import { HealthController } from './health.controller.js';
import { ServingState } from './serving-state.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, ServingState],
  exports: [ServingState],
})
export class HealthModule {}
