import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { UserRole } from '../auth/roles.js';

/** Who is calling, as established by the JWT guard from the token and the live session. */
export interface AuthUser {
  id: number;
  /** Read with the session on every request, so mails to the caller need no lookup. */
  email: string;
  role: UserRole;
  sessionId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}

export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser => {
    const user = ctx.switchToHttp().getRequest<Request>().user;
    if (!user) throw new Error('CurrentUser used on a route without authentication');
    return user;
  },
);
