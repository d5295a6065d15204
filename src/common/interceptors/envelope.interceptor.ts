import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { successEnvelope } from '../http/envelope.js';
import { PreSerialized } from '../http/pre-serialized.js';

/**
 * Wraps every /api success in the contract's envelope; 204 stays empty. The data is serialised
 * here, once (or arrives as text from the cache), and the envelope is built around the text.
 */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!req.path.startsWith('/api/')) return next.handle();
    const res = http.getResponse<Response>();
    return next.handle().pipe(
      map((data: unknown) => {
        if (res.statusCode === 204) return undefined;
        const json = data instanceof PreSerialized ? data.json : JSON.stringify(data ?? null);
        return new PreSerialized(successEnvelope(res.statusCode, json));
      }),
    );
  }
}
