import { Logger, type INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { DatabaseSetupError } from '../infra/database/ensure-database.js';

/**
 * On SIGTERM or SIGINT: stop accepting connections, let requests in flight finish, run every
 * module's shutdown hook (pools, queues), then exit 0. Nest's own shutdown hooks would re-raise
 * the signal and end the process by signal instead of with status 0.
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
    app.close().then(
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
