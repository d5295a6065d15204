import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runInRequestContext } from './request-context.js';

export const REQUEST_ID_HEADER = 'X-Request-ID';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's X-Request-ID when it is sane, otherwise a new one. */
export const requestIdFor = (sent: string | undefined): string =>
  sent !== undefined && ACCEPTABLE.test(sent) ? sent : randomUUID();

/**
 * Echoes a sane client X-Request-ID, otherwise makes one, stores it as req.id (the field
 * pino-http declares and logs) and runs the request in a context that carries it into queued
 * jobs. Plain Express middleware: it runs even for unknown routes.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  req.id = requestIdFor(req.get(REQUEST_ID_HEADER));
  res.setHeader(REQUEST_ID_HEADER, req.id);
  runInRequestContext(req.id, next);
}
