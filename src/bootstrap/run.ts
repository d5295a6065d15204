import type { Server } from 'node:http';
import { Logger, type INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { DatabaseSetupError } from '../infra/database/ensure-database.js';
import { shutdownTelemetry } from '../telemetry/telemetry-state.js';

/** Stops accepting connections and resolves once the requests in flight have been answered. */
const drain = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
  });

/**
 * On SIGTERM or SIGINT: stop accepting connections and let requests in flight finish, then run
 * every module's shutdown hooks (workers, queues, pools), then exit 0. Draining first means no
 * hook runs under a request still being answered (Nest runs onModuleDestroy and
 * beforeApplicationShutdown hooks before it closes the server). Nest's own signal handling would
 * also re-raise the signal, ending the process by signal rather than with status 0.
 */
function exitOnSignals(app: INestApplication, timeoutSeconds: number): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining and closing`);
    setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${timeoutSeconds}s; exiting\n`);
      process.exit(1);
    }, timeoutSeconds * 1000).unref();
    drain(app.getHttpServer() as Server)
      .then(() => app.close())
      .then(() => shutdownTelemetry())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Start-up problems a user can fix are one line on stderr, not a stack trace. */
export async function runProcess(
  start: (config: AppConfig) => Promise<INestApplication>,
): Promise<void> {
  try {
    const config = loadConfig();
    exitOnSignals(await start(config), config.shutdownTimeout);
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof DatabaseSetupError;
    process.stderr.write(`${known ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  }
}
