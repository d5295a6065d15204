import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { PreSerialized } from '../http/pre-serialized.js';

export interface SuccessBody<T> {
  code: number;
  message: 'success';
  data: T;
  timestamp: string;
}

export const wrapSuccess = <T>(code: number, data: T): SuccessBody<T> => ({
  code,
  message: 'success',
  data,
  timestamp: new Date().toISOString(),
});

/** The envelope around data that is already JSON text, by concatenation. */
export const wrapSerialized = (code: number, data: PreSerialized): PreSerialized =>
  new PreSerialized(
    `{"code":${code},"message":"success","data":${data.json},"timestamp":"${new Date().toISOString()}"}`,
  );

/** Wraps every /api success in the contract's envelope; 204 stays empty. */
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
        if (data instanceof PreSerialized) return wrapSerialized(res.statusCode, data);
        return wrapSuccess(res.statusCode, data ?? null);
      }),
    );
  }
}
