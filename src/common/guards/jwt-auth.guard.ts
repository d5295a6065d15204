import { HttpStatus, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import {
  SESSION_AUTHENTICATOR,
  type AccessTokenClaims,
  type SessionAuthenticator,
} from '../auth/session-authenticator.js';
import { IS_PUBLIC } from '../decorators/public.decorator.js';
import { unauthorized } from '../errors/domain-error.js';

/**
 * Caches the login's check once the request has been answered, unless it failed validation
 * (400): such a request writes nothing anywhere (CONTRACT §5).
 */
function keepUnlessInvalid(res: Response, keepCheck: () => Promise<void>): void {
  res.once('finish', () => {
    if (res.statusCode !== (HttpStatus.BAD_REQUEST as number)) void keepCheck();
  });
}

/**
 * Global and closed by default: every route needs a valid access token unless @Public().
 * Passport verifies the token (the "jwt" strategy); then the SessionAuthenticator checks that
 * the token's login is still live and its user active (on every request, so logout and
 * disabling take effect at once). A request is authenticated once, whoever asks (this guard, or
 * EarlyRefusals in front of the route): one instance, two uses.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  /** Requests already authenticated (by an early refusal's front handler): checked once. */
  private readonly authenticated = new WeakSet<object>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(SESSION_AUTHENTICATOR) private readonly sessions: SessionAuthenticator,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const open = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (open) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (this.authenticated.has(req)) return true;
    await super.canActivate(context);
    // Until here req.user holds what the strategy returned: the token's verified claims.
    const claims: unknown = req.user;
    const { user, keepCheck } = await this.sessions.authenticate(claims as AccessTokenClaims);
    req.user = user;
    if (keepCheck) keepUnlessInvalid(http.getResponse<Response>(), keepCheck);
    this.authenticated.add(req);
    return true;
  }

  override handleRequest<T = AccessTokenClaims>(
    error: unknown,
    claims: T | false,
    info: unknown,
  ): T {
    if (error instanceof Error) throw error;
    if (!claims) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw unauthorized(expired ? 'Access token has expired' : 'Missing or invalid access token');
    }
    return claims;
  }
}
