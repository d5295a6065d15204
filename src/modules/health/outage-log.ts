import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';

const isHealthResult = (body: unknown): body is HealthCheckResult =>
  typeof body === 'object' &&
  body !== null &&
  'status' in body &&
  'error' in body &&
  'details' in body;

/** Each check as its status only: a driver's message names hosts, ports and internals. */
const statusesOnly = (checks: Partial<HealthIndicatorResult> | undefined): HealthIndicatorResult =>
  Object.fromEntries(
    Object.entries(checks ?? {}).flatMap(([name, check]) =>
      check ? [[name, { status: check.status }]] : [],
    ),
  );

/**
 * What readiness shows and what it logs. A probe answers every few seconds, so the reason a
 * dependency is down is logged once, when it goes down (and once again when it is back); the
 * 503 body says only `down`, never the driver's message.
 */
export class OutageLog {
  private readonly logger = new Logger('Health');
  private readonly down = new Set<string>();

  /** The check passed: every dependency is up again. */
  up(result: HealthCheckResult): HealthCheckResult {
    for (const name of Object.keys(result.info ?? {})) this.recovered(name);
    return result;
  }

  /** The check failed: logs what is newly down and returns the failure without its details. */
  failed(error: unknown): unknown {
    if (!(error instanceof ServiceUnavailableException)) return error;
    const body = error.getResponse();
    if (!isHealthResult(body)) return error;
    for (const name of Object.keys(body.info ?? {})) this.recovered(name);
    for (const [name, detail] of Object.entries(body.error ?? {})) {
      if (this.down.has(name)) continue;
      this.down.add(name);
      const reason: unknown = detail?.message;
      this.logger.warn(
        `${name} is down: ${typeof reason === 'string' ? reason : 'no reason given'}`,
      );
    }
    return new ServiceUnavailableException({
      status: body.status,
      info: statusesOnly(body.info),
      error: statusesOnly(body.error),
      details: statusesOnly(body.details),
    });
  }

  private recovered(name: string): void {
    if (this.down.delete(name)) this.logger.log(`${name} is up again`);
  }
}
