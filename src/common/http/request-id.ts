import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-ID';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Echoes a sane client X-Request-ID, otherwise makes one, and stores it as req.id (the field
 * pino-http declares and logs). Plain Express middleware: it runs even for unknown routes.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const sent = req.get(REQUEST_ID_HEADER);
  req.id = sent !== undefined && ACCEPTABLE.test(sent) ? sent : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, req.id);
  next();
}
