import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { from, lastValueFrom, of, type Observable } from 'rxjs';
import { readsFromPrimary } from '../../infra/database/read-routing.js';
import { RecentWriters } from '../../infra/database/recent-writers.js';

/**
 * Read-your-writes for a controller's routes (CONTRACT §9): a signed-in caller's successful
 * write (any method but GET and HEAD) is remembered, and their reads on the same routes go to
 * the primary while it is (RecentWriters). Everyone else's reads go where the service sends them.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly writers: RecentWriters) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request>();
    const user = req.user;
    if (user === undefined || !this.writers.needed) return next.handle();
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!(await this.writers.wroteRecently(user.id))) return next.handle();
      return from(readsFromPrimary(() => lastValueFrom(next.handle())));
    }
    // Remembered before the response leaves, so the caller's next read already knows. A request
    // that failed wrote nothing, and leaves nothing behind (CONTRACT §5, bad input).
    const result: unknown = await lastValueFrom(next.handle());
    await this.writers.remember(user.id);
    return of(result);
  }
}

/**
 * On a controller whose writes a caller must see in their next reads: their reads go to the
 * primary for a few seconds after each of their writes.
 */
export const ReadsOwnWrites = (): ClassDecorator & MethodDecorator =>
  UseInterceptors(ReadYourWritesInterceptor);
