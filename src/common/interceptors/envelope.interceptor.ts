import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';

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

/** Wraps every /api success in the contract's envelope; 204 stays empty. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!req.path.startsWith('/api/')) return next.handle();
    const res = http.getResponse<Response>();
    return next
      .handle()
      .pipe(
        map((data: unknown) =>
          res.statusCode === 204 ? undefined : wrapSuccess(res.statusCode, data ?? null),
        ),
      );
  }
}
