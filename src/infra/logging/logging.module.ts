import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { errSerializer } from './safe-error.js';
import { traceFields } from './trace-fields.js';
import { currentRequestId } from '../../common/http/request-context.js';

/** Never written to a log line, whatever a developer logs. */
export const REDACTED_PATHS = [
  'password',
  'token',
  'authorization',
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

/**
 * JSON lines on stdout through pino: one per request (see requestLog), and the app's own lines,
 * which carry the request_id of the request they were written for.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Request lines come from requestLog(); nestjs-pino only serves Nest's Logger.
        useExisting: true,
        pinoHttp: {
          level: config.logLevel,
          autoLogging: false,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Errors are logged as name, message, code and stack only: never SQL parameters.
          serializers: { err: errSerializer },
          // Any line written while serving a request carries its id.
          // and, while a span is active, its trace and span ids.
          mixin: () => {
            const requestId = currentRequestId();
            return requestId === undefined
              ? traceFields()
              : { request_id: requestId, ...traceFields() };
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
