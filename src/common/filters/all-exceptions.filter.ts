import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { sendJson } from '../http/pre-serialized.js';
import { toHttpError } from './http-error.js';

export interface ErrorBody {
  code: number;
  message: string;
  errors: Record<string, string> | null;
  timestamp: string;
  path: string;
  request_id: string;
}

/** The one place that turns any failure into the contract's error body. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const error = toHttpError(exception);

    if (error.unexpected) {
      this.logger.error(
        { err: exception, request_id: req.id },
        `Unhandled error on ${req.method} ${req.path}`,
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: ErrorBody = {
      ...error.extra,
      code: error.status,
      message: error.message,
      errors: error.errors,
      timestamp: new Date().toISOString(),
      path: req.path,
      request_id: typeof req.id === 'string' ? req.id : '',
    };
    if (error.retryAfter !== undefined) res.setHeader('Retry-After', error.retryAfter);
    sendJson(res, error.status, JSON.stringify(body));
  }
}
