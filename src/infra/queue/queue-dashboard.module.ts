import { timingSafeEqual } from 'node:crypto';
import { ExpressAdapter } from '@bull-board/express';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { rateLimited, unauthorized } from '../../common/errors/domain-error.js';
import type { AppConfig } from '../../config/app-config.js';
import { rateLimitTracker } from '../rate-limit/rate-limit-key.js';
import { FailureCounter } from '../redis/failure-counter.js';
import { REDIS } from '../redis/redis.tokens.js';
import { QUEUES } from './queues.js';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

const same = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Bull Board's own Express app, without the X-Powered-By banner Express adds by default. */
class DashboardExpressAdapter extends ExpressAdapter {
  constructor() {
    super();
    this.app.disable('x-powered-by');
  }
}

interface DashboardCredentials {
  username: string;
  password: string;
}

const LOCKED =
  'Too many wrong dashboard credentials from this address; retry after the number of seconds in Retry-After';

const credentialsMatch = (header: string, credentials: DashboardCredentials): boolean => {
  const [scheme, encoded] = header.split(' ');
  const [username = '', ...rest] = Buffer.from(encoded ?? '', 'base64')
    .toString()
    .split(':');
  return (
    scheme === 'Basic' &&
    same(username, credentials.username) &&
    same(rest.join(':'), credentials.password)
  );
};

/**
 * HTTP basic auth for the dashboard; a failure is a 401 in the error format. Wrong credentials
 * count against the client address (FailureCounter): past the limit the address gets 429 with
 * Retry-After, right credentials or not, until its window ends. Right credentials are not
 * counted, so a page loading its assets in parallel never locks its operator out; the check
 * is instant and its count follows in the same tick, so a burst of guesses is counted in order.
 * Without Redis the dashboard has nothing to show, so the lock fails closed (503) rather than
 * letting guesses through uncounted.
 */
export function basicAuth(credentials: DashboardCredentials, failures: FailureCounter) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('Authorization');
    if (header !== undefined) {
      const client = rateLimitTracker(req);
      if (credentialsMatch(header, credentials)) {
        const wait = await failures.lockedFor([client]);
        if (wait > 0) throw rateLimited(LOCKED, wait);
        next();
        return;
      }
      const counted = await failures.attempt([client]);
      if (counted.waitSeconds > 0) throw rateLimited(LOCKED, counted.waitSeconds);
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="queues", charset="UTF-8"');
    throw unauthorized('Queue dashboard credentials required');
  };
}

/**
 * Bull Board at /admin/queues, for operators to see, retry and remove jobs. Mounted only when
 * BULL_BOARD_USERNAME and BULL_BOARD_PASSWORD are set; otherwise the route does not exist.
 */
@Module({})
export class QueueDashboardModule {
  static forRoot(config: AppConfig): DynamicModule {
    const dashboard = config.queueDashboard;
    if (!dashboard) return { module: QueueDashboardModule };
    return {
      module: QueueDashboardModule,
      imports: [
        BullBoardModule.forRootAsync({
          inject: [REDIS],
          useFactory: (redis: Redis) => ({
            route: QUEUE_DASHBOARD_ROUTE,
            adapter: DashboardExpressAdapter,
            middleware: basicAuth(
              dashboard,
              new FailureCounter(redis, {
                prefix: config.redis.prefix,
                scope: 'dashboard-failures',
                max: dashboard.maxFailures,
                windowSeconds: dashboard.lockSeconds,
                failOpen: false,
                name: 'QueueDashboard',
              }),
            ),
            boardOptions: { uiConfig: { boardTitle: 'Shop queues' } },
          }),
        }),
        ...Object.values(QUEUES).map((name) =>
          BullBoardModule.forFeature({ name, adapter: BullMQAdapter }),
        ),
      ],
    };
  }
}
