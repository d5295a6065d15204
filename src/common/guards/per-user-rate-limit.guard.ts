import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * The route guard of @PerUserRateLimit(): after authentication, the app's one rate-limit guard
 * again (the same instance, so the limits it already counted for this request are not counted
 * twice), which now knows the caller and counts the per-customer limit.
 */
@Injectable()
export class PerUserRateLimitGuard implements CanActivate {
  constructor(private readonly modules: ModuleRef) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const guard = this.modules.get(RateLimitGuard, { strict: false });
    await guard.enforce(
      http.getRequest<Request>(),
      http.getResponse<Response>(),
      context.getClass(),
      context.getHandler(),
    );
    return true;
  }
}
