import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

/**
 * Whether the process still wants traffic. On SIGTERM the api says it does not (readiness 503)
 * while it goes on serving for SHUTDOWN_DRAIN_MS, so load balancers stop sending before it stops
 * accepting.
 */
@Injectable()
export class ServingState {
  private stopping = false;

  constructor(private readonly indicators: HealthIndicatorService) {}

  get draining(): boolean {
    return this.stopping;
  }

  drain(): void {
    this.stopping = true;
  }

  check(): HealthIndicatorResult<'shutdown'> {
    return this.indicators.check('shutdown').down({ message: 'shutting down' });
  }
}
