import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import { METRIC, UNMATCHED_ROUTE } from './metric-names.js';

/**
 * The route template a request matched ("/api/products/:id"), never its raw path. Requests that
 * matched no route, including Nest's catch-all that answers 404, share one label.
 */
export const routeOf = (req: Request): string => {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*')
    ? `${req.baseUrl}${path}`
    : UNMATCHED_ROUTE;
};

/**
 * Counts and times every response, whatever answered it (a guard's 401, the filter's 404, a
 * handler), as plain Express middleware that records when the response has been sent.
 */
@Injectable()
export class HttpMetrics {
  constructor(
    @InjectMetric(METRIC.httpRequests)
    private readonly requests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.httpDuration)
    private readonly duration: Histogram<'method' | 'route' | 'status'>,
  ) {}

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
