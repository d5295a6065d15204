import { timingSafeEqual } from 'node:crypto';
import { ExpressAdapter } from '@bull-board/express';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { unauthorized } from '../../common/errors/domain-error.js';
import type { AppConfig } from '../../config/app-config.js';
import { QUEUES } from './queues.js';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

const same = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** HTTP basic auth for the dashboard; a failure is a 401 in the error format. */
export function basicAuth(credentials: { username: string; password: string }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const [scheme, encoded] = (req.get('Authorization') ?? '').split(' ');
    const [username = '', ...rest] = Buffer.from(encoded ?? '', 'base64')
      .toString()
      .split(':');
    const ok =
      scheme === 'Basic' &&
      same(username, credentials.username) &&
      same(rest.join(':'), credentials.password);
    if (!ok) {
      res.setHeader('WWW-Authenticate', 'Basic realm="queues", charset="UTF-8"');
      throw unauthorized('Queue dashboard credentials required');
    }
    next();
  };
}

/**
 * Bull Board at /admin/queues, for operators to see, retry and remove jobs. Mounted only when
 * BULL_BOARD_USERNAME and BULL_BOARD_PASSWORD are set; otherwise the route does not exist.
 */
@Module({})
export class QueueDashboardModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.queueDashboard) return { module: QueueDashboardModule };
    return {
      module: QueueDashboardModule,
      imports: [
        BullBoardModule.forRoot({
          route: QUEUE_DASHBOARD_ROUTE,
          adapter: ExpressAdapter,
          middleware: basicAuth(config.queueDashboard),
          boardOptions: { uiConfig: { boardTitle: 'Shop queues' } },
        }),
        ...Object.values(QUEUES).map((name) =>
          BullBoardModule.forFeature({ name, adapter: BullMQAdapter }),
        ),
      ],
    };
  }
}
