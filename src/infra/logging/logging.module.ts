import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/** Never written to a log line, whatever a developer logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current_password',
  '*.access_token',
  '*.refresh_token',
  '*.token',
];

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          // The request id is set by requestIdMiddleware before any Nest middleware runs.
          genReqId: (req: IncomingMessage) => req.id,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          customProps: (req: IncomingMessage) => ({ request_id: req.id }),
          autoLogging: {
            ignore: (req: IncomingMessage) =>
              req.url?.startsWith('/health') === true || req.url === '/metrics',
          },
          serializers: {
            req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
