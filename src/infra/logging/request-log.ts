import type { NextFunction, Request, Response } from 'express';
import { routeOf } from '../metrics/http-metrics.js';
import { traceFields } from './trace-fields.js';

/** The part of a pino logger this needs. */
interface Logger {
  info(line: object, message: string): void;
  warn(line: object, message: string): void;
  error(line: object, message: string): void;
  child(bindings: object, options: { redact: string[] }): Logger;
}

const QUIET = /^\/(health|metrics)(\/|$)/;

/**
 * One JSON line per response: method, url, route template, status, duration, request id and,
 * when the caller was authenticated, user_id. A request slower than slowRequestMs gets a warn
 * line of its own ("slow request"), so slow requests can be found and alerted on by level alone.
 * Probes and scrapes are not logged. (pino-http did this with two child loggers and a
 * serialiser per request; one call on `finish` writes the same line for a fraction of it.)
 *
 * The lines go through a child of the app's logger without its redaction: they hold only the
 * fields above, none of them a secret, and the redaction's wildcard paths would otherwise be
 * walked for every field of every line.
 */
export function requestLog(
  appLogger: () => Logger,
  slowRequestMs: number,
): (req: Request, res: Response, next: NextFunction) => void {
  let lines: Logger | undefined;
  const logger = (): Logger => (lines ??= appLogger().child({}, { redact: [] }));
  return (req, res, next) => {
    if (QUIET.test(req.path)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    // The request's span is active here, not necessarily when the response has finished.
    const trace = traceFields();
    res.once('finish', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      const route = routeOf(req);
      // Set by the JWT guard from the live session, so it is who the request really acted as.
      const user = req.user === undefined ? {} : { user_id: req.user.id };
      const line = {
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        route,
        duration_ms: durationMs,
        request_id: req.id,
        ...user,
        ...trace,
      };
      try {
        if (res.statusCode >= 500) logger().error(line, 'request failed');
        else logger().info(line, 'request completed');
        if (durationMs > slowRequestMs) {
          logger().warn(
            {
              method: req.method,
              route,
              status: res.statusCode,
              duration_ms: durationMs,
              slow_request_ms: slowRequestMs,
              request_id: req.id,
              ...user,
              ...trace,
            },
            'slow request',
          );
        }
      } catch {
        // A log line is never worth the process.
      }
    });
    next();
  };
}
