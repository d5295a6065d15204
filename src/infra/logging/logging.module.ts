import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { routeOf } from '../metrics/http-metrics.js';

/**
 * JSON lines on stdout: one per request (method, url, route template, status, duration_ms,
 * request_id), and the app's own lines with the same request_id while serving a request.
 */

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
          // Evaluated when the response is logged, by which time the route has been matched.
          customProps: (req: IncomingMessage) => ({
            request_id: req.id,
            route: routeOf(req as Request),
          }),
          customAttributeKeys: { responseTime: 'duration_ms' },
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
