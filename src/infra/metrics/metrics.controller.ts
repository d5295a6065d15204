import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator.js';
import { NoRateLimit } from '../../common/decorators/rate-limit.decorator.js';

/** Prometheus text format at /metrics, open like the probes. */
@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    return super.index(response);
  }
}
