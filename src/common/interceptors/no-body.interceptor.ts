import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { validationFailed } from '../errors/domain-error.js';

/** Parameter kinds through which a handler reads the body itself (a DTO, or the raw request). */
const READS_BODY = new Set<string>([
  String(RouteParamtypes.BODY),
  String(RouteParamtypes.RAW_BODY),
  String(RouteParamtypes.REQUEST),
]);

/** Reads: a body has no meaning there (and the cached fast path answers them unchecked). */
const BODILESS = new Set(['GET', 'HEAD']);

/**
 * Unknown body fields are a 400 on every route, routes that take no body included (pay,
 * cancel, ship, complete, delete): there every field is unknown, so `{"cancel_reason": ...}`
 * or `{"status": ...}` is refused like an unknown field of a DTO, not silently ignored. Routes
 * with a @Body DTO are left to the validation pipe, and routes that read the request
 * themselves (provider webhooks) to their own checks. An empty object is no field at all.
 */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  private readonly takesBody = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    if (!BODILESS.has(req.method) && !this.readsBody(context)) {
      const body: unknown = req.body;
      if (Array.isArray(body) && body.length > 0) {
        throw validationFailed({ body: 'this route takes no request body' });
      }
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        const fields = Object.keys(body);
        if (fields.length > 0) {
          throw validationFailed(
            Object.fromEntries(fields.map((field) => [field, `${field} is not an accepted field`])),
          );
        }
      }
    }
    return next.handle();
  }

  private readsBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let reads = this.takesBody.get(handler);
    if (reads === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      reads = Object.keys(args).some((key) => READS_BODY.has(key.split(':')[0] ?? ''));
      this.takesBody.set(handler, reads);
    }
    return reads;
  }
}
