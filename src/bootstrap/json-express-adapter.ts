import { createServer, type ServerOptions } from 'node:http';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { PreSerialized } from '../common/http/pre-serialized.js';

/**
 * How often Node looks for connections past their header or request deadline, at most. Node's
 * default (30 s) would let a 10 s header deadline stretch to 40 s; this keeps it within a
 * second (and within a quarter of the deadline when that is short).
 */
const DEADLINE_CHECK_INTERVAL_MS = 1000;

/**
 * Slow clients: the headers must have arrived within HTTP_HEADERS_TIMEOUT_MS and the whole
 * request within HTTP_REQUEST_TIMEOUT_MS, or Node answers 408 (when nothing of a response has
 * been sent yet) and closes the connection.
 */
export const serverOptions = (config: AppConfig): ServerOptions => ({
  headersTimeout: config.http.headersTimeoutMs,
  requestTimeout: config.http.requestTimeoutMs,
  connectionsCheckingInterval: Math.min(
    DEADLINE_CHECK_INTERVAL_MS,
    Math.ceil(config.http.headersTimeoutMs / 4),
  ),
});

/**
 * Express on an HTTP server with the slow-client deadlines, plus writing PreSerialized bodies
 * without serialising them again.
 */
export class JsonExpressAdapter extends ExpressAdapter {
  constructor(private readonly serverOptions: ServerOptions) {
    super();
  }

  /** Plain HTTP only: TLS ends at the ingress, and none of Nest's closing options are used. */
  override initHttpServer(): void {
    this.httpServer = createServer(this.serverOptions, this.getInstance());
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!(body instanceof PreSerialized)) return super.reply(response, body, statusCode);
    if (statusCode !== undefined) response.status(statusCode);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    return response.end(body.json);
  }
}
