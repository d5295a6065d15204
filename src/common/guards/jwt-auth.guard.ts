import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../decorators/public.decorator.js';
import { unauthorized } from '../errors/domain-error.js';
import type { AuthUser } from '../decorators/current-user.decorator.js';

/** Global and closed by default: every route needs a valid access token unless @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(
    context: ExecutionContext,
  ): boolean | Promise<boolean> | Observable<boolean> {
    const open = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return open ? true : super.canActivate(context);
  }

  override handleRequest<T = AuthUser>(error: unknown, user: T | false, info: unknown): T {
    if (error instanceof Error) throw error;
    if (!user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      const reason = expired ? 'Access token has expired' : 'Missing or invalid access token';
      throw unauthorized(reason);
    }
    return user;
  }
}
