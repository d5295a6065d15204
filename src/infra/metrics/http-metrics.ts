import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { METRIC, UNMATCHED_ROUTE } from './metric-names.js';

export const RESPONSE_TIME_HEADER = 'X-Response-Time';

/** What Express's router keeps of a mounted route (its layers are not typed by express). */
interface RouterLayer {
  route?: { path?: unknown; methods?: Record<string, boolean | undefined> };
  /** The match (params and all), or false. */
  match?: (path: string) => unknown;
}

const isTemplate = (path: unknown): path is string =>
  typeof path === 'string' && !path.includes('*');

/**
 * The app's route a request was addressed to, for one answered before it reached that route (a
 * body that could not be read is refused by middleware, which Nest mounts as a catch-all route):
 * the first route whose method and template match, as the router picks it. Nest's catch-all
 * that answers 404 is none.
 */
function addressedRoute(req: Request): string | undefined {
  const router = (req.app as unknown as { router?: { stack?: RouterLayer[] } }).router;
  const method = req.method.toLowerCase();
  for (const layer of router?.stack ?? []) {
    const methods = layer.route?.methods;
    if (!isTemplate(layer.route?.path) || methods === undefined) continue;
    const handles = methods[method] ?? methods._all ?? (method === 'head' && methods.get);
    if (handles === true && matches(layer, req.path)) return layer.route.path;
  }
  return undefined;
}

/**
 * Whether the layer's template matches the path. The router decodes the parameters while it
 * matches, and throws for a malformed percent-escape (/api/products/%ZZ): the template matched
 * then (the router itself refused the request there, a 400), and the throw must not escape,
 * since this runs in a response's 'finish' listener, where it would stop the process.
 */
function matches(layer: RouterLayer, path: string): boolean {
  try {
    return Boolean(layer.match?.(path));
  } catch {
    return true;
  }
}

/**
 * The route template a request was for ("/api/products/:id"), never its raw path: the one it
 * matched, or for a request refused before routing, the one it was addressed to. Requests for
 * no route, including those of Nest's catch-all that answers 404, share one label.
 */
export const routeOf = (req: Request): string => {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  const template = isTemplate(path) ? path : addressedRoute(req);
  return template === undefined ? UNMATCHED_ROUTE : `${req.baseUrl}${template}`;
};

const millisecondsSince = (started: bigint): number =>
  Number(process.hrtime.bigint() - started) / 1e6;

/**
 * Sets X-Response-Time just before the headers leave, whoever sends them (a handler, the cached
 * fast path, the filter): Node writes every response's head through writeHead.
 */
function stampResponseTime(res: Response, started: bigint): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    if (!res.headersSent) {
      res.setHeader(RESPONSE_TIME_HEADER, `${millisecondsSince(started).toFixed(3)}ms`);
    }
    return writeHead(...args);
  }) as Response['writeHead'];
}

/**
 * Counts and times every response, whatever answered it (a guard's 401, the filter's 404, a
 * handler), as plain Express middleware that records when the response has been sent; counts
 * the requests being served, and tells the client how long its answer took.
 */
@Injectable()
export class HttpMetrics {
  constructor(
    @InjectMetric(METRIC.httpRequests)
    private readonly requests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.httpDuration)
    private readonly duration: Histogram<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.httpInFlight)
    private readonly inFlight: Gauge,
  ) {}

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    stampResponseTime(res, started);
    this.inFlight.inc();
    // 'close' comes for every response, also when the client went away before the answer.
    res.once('close', () => {
      this.inFlight.dec();
    });
    res.once('finish', () => {
      const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, millisecondsSince(started) / 1e3);
    });
    next();
  };
}
