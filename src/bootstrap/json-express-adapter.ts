import { createServer, type ServerOptions } from 'node:http';
import type { RequestHandler as NestRequestHandler } from '@nestjs/common/interfaces/index.js';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type Express, type RequestHandler, type Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { answerClientError, answerUnmetExpectation } from './client-errors.js';
import { frontKey } from '../common/http/front-routes.js';
import { PreSerialized, sendJson } from '../common/http/pre-serialized.js';

/**
 * How often Node looks for connections past their header or request deadline, at most. Node's
 * default (30 s) would let a 10 s header deadline stretch to 40 s; this keeps it within a
 * second (and within a quarter of the deadline when that is short).
 */
const DEADLINE_CHECK_INTERVAL_MS = 1000;

/**
 * Slow clients: the headers must have arrived within HTTP_HEADERS_TIMEOUT_MS and the whole
 * request within HTTP_REQUEST_TIMEOUT_MS, or the server answers 408 (when nothing of a response
 * has been sent yet, in the error format: see answerClientError) and closes the connection.
 */
export const serverOptions = (config: AppConfig): ServerOptions => ({
  headersTimeout: config.http.headersTimeoutMs,
  requestTimeout: config.http.receiveTimeoutMs,
  connectionsCheckingInterval: Math.min(
    DEADLINE_CHECK_INTERVAL_MS,
    Math.ceil(config.http.headersTimeoutMs / 4),
  ),
});

/**
 * Express on an HTTP server with the slow-client deadlines, plus two things Nest's adapter does
 * not do: it writes PreSerialized bodies as they are, and it mounts a handler in front of a
 * GET or POST route's own when one was given for that route (the cached-read fast path, early
 * refusals), on the very route Nest registers, so the front handler sees exactly that route's
 * requests.
 */
export class JsonExpressAdapter extends ExpressAdapter {
  private front: ReadonlyMap<string, RequestHandler> = new Map();
  private routesMounted = false;

  constructor(private readonly serverOptions: ServerOptions) {
    // Paths match in their case, as the contract writes them: /API/orders is an unknown route
    // (404), not /api/orders answered without its envelope and cached under another key. Set
    // before anything touches the app's router, which reads it once.
    super(express().set('case sensitive routing', true));
  }

  /** Handlers keyed by frontKey. Call before the app initialises: Nest mounts its routes then. */
  putInFront(handlers: ReadonlyMap<string, RequestHandler>): void {
    if (this.routesMounted) throw new Error('putInFront() after the routes were mounted');
    this.front = handlers;
  }

  /** Plain HTTP only: TLS ends at the ingress, and none of Nest's closing options are used. */
  override initHttpServer(): void {
    this.httpServer = createServer(this.serverOptions, this.getInstance());
    this.httpServer.on('clientError', answerClientError);
    this.httpServer.on('checkExpectation', answerUnmetExpectation);
  }

  override get(pathOrHandler: string | NestRequestHandler, handler?: NestRequestHandler): unknown {
    if (handler === undefined) return super.get(pathOrHandler as NestRequestHandler);
    if (typeof pathOrHandler !== 'string') return super.get(pathOrHandler, handler);
    return this.mount('GET', pathOrHandler, handler);
  }

  override post(pathOrHandler: string | NestRequestHandler, handler?: NestRequestHandler): unknown {
    if (handler === undefined) return super.post(pathOrHandler as NestRequestHandler);
    if (typeof pathOrHandler !== 'string') return super.post(pathOrHandler, handler);
    return this.mount('POST', pathOrHandler, handler);
  }

  /** Nest's handler for the route, behind the front handler given for it, if one was. */
  private mount(method: 'GET' | 'POST', path: string, handler: NestRequestHandler): unknown {
    this.routesMounted = true;
    const handlers = [this.front.get(frontKey(method, path)), handler as RequestHandler].filter(
      (h): h is RequestHandler => h !== undefined,
    );
    const express = this.getInstance<Express>();
    return method === 'GET' ? express.get(path, ...handlers) : express.post(path, ...handlers);
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!(body instanceof PreSerialized)) return super.reply(response, body, statusCode);
    sendJson(response, statusCode ?? response.statusCode, body.json);
    return undefined;
  }
}
