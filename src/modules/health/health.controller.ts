import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from '../../common/decorators/public.decorator.js';
import { NoRateLimit } from '../../common/decorators/rate-limit.decorator.js';
import { RedisHealthIndicator } from '../../infra/redis/redis.health.js';
import { OutageLog } from './outage-log.js';
import { ServingState } from './serving-state.js';

/** Each dependency check gives up after this long, so readiness answers well within 5 seconds. */
const CHECK_TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  private readonly outages = new OutageLog();

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly serving: ServingState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up; checks no dependency' })
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and Redis answer, and the process is not shutting down',
  })
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.checkDependencies();
  }

  @Get()
  @ApiOperation({ summary: 'Same as /health/ready' })
  @HealthCheck()
  overall(): Promise<HealthCheckResult> {
    return this.checkDependencies();
  }

  private async checkDependencies(): Promise<HealthCheckResult> {
    try {
      return this.outages.up(
        await this.health.check([
          ...(this.serving.draining ? [() => this.serving.check()] : []),
          () => this.database.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
          () => this.redis.ping('redis', CHECK_TIMEOUT_MS),
        ]),
      );
    } catch (error) {
      throw this.outages.failed(error);
    }
  }
}
