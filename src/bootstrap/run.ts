import { type INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { DatabaseSetupError } from '../infra/database/ensure-database.js';
import { exitOnSignals } from './graceful-shutdown.js';

export interface ProcessOptions {
  /**
   * The process takes client traffic (the api): on SIGTERM it goes on accepting for
   * SHUTDOWN_DRAIN_MS while it reports not ready. The worker has nothing to drain.
   */
  readonly drainsTraffic?: boolean;
}

/** Start-up problems a user can fix are one line on stderr, not a stack trace. */
export async function runProcess(
  start: (config: AppConfig) => Promise<INestApplication>,
  options: ProcessOptions = {},
): Promise<void> {
  try {
    const config = loadConfig();
    exitOnSignals(await start(config), {
      timeoutSeconds: config.shutdownTimeout,
      drainMs: options.drainsTraffic ? config.shutdownDrainMs : 0,
    });
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof DatabaseSetupError;
    process.stderr.write(`${known ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  }
}
