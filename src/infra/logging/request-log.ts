import type { NextFunction, Request, Response } from 'express';
/** The part of a pino logger this needs. */
interface Logger {
  info(line: object, message: string): void;
  error(line: object, message: string): void;
}
import { routeOf } from '../metrics/http-metrics.js';
import { traceFields } from './trace-fields.js';

const QUIET = /^\/(health|metrics)(\/|$)/;

/**
 * One JSON line per response: method, url, route template, status, duration and request id.
 * Probes and scrapes are not logged. (pino-http did this with two child loggers and a
 * serialiser per request; one call on `finish` writes the same line for a fraction of it.)
 */
export function requestLog(
  logger: () => Logger,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (QUIET.test(req.path)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    // The request's span is active here, not necessarily when the response has finished.
    const trace = traceFields();
    res.once('finish', () => {
      const line = {
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        route: routeOf(req),
        duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        request_id: req.id,
        ...trace,
      };
      try {
        if (res.statusCode >= 500) logger().error(line, 'request failed');
        else logger().info(line, 'request completed');
      } catch {
        // A log line is never worth the process.
      }
    });
    next();
  };
}
