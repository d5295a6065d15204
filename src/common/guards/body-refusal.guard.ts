import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { refusedBodyOf } from '../http/json-body.middleware.js';

/**
 * Answers a request whose body JsonBodyMiddleware refused (malformed, too large, too costly, not
 * JSON) with that refusal. Global, right after the rate limit: the request has been counted,
 * and nothing else (authentication's cache, a handler) has run for it.
 */
@Injectable()
export class BodyRefusalGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const refusal = refusedBodyOf(context.switchToHttp().getRequest<Request>());
    if (refusal) throw refusal;
    return true;
  }
}
