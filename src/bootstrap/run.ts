import { type INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { DatabaseSetupError } from '../infra/database/ensure-database.js';
import { exitOnSignals } from './graceful-shutdown.js';

export interface ProcessOptions {
  /** The variable of the port the process serves on: PORT (api) or WORKER_PORT (worker). */
  readonly portVariable: 'PORT' | 'WORKER_PORT';
  /**
   * The process takes client traffic (the api): on SIGTERM it goes on accepting for
   * SHUTDOWN_DRAIN_MS while it reports not ready. The worker has nothing to drain.
   */
  readonly drainsTraffic?: boolean;
}

/**
 * A port the process cannot open (taken by another process, or privileged) as one line naming
 * its variable; undefined for any other error.
 */
function listenFailure(
  error: unknown,
  config: AppConfig,
  portVariable: ProcessOptions['portVariable'],
): string | undefined {
  const { syscall, code, port } = error as NodeJS.ErrnoException & { port?: number };
  if (syscall !== 'listen' || (code !== 'EADDRINUSE' && code !== 'EACCES')) return undefined;
  const own = portVariable === 'PORT' ? config.port : config.workerPort;
  const variable = port === config.metricsPort && port !== own ? 'METRICS_PORT' : portVariable;
  const problem = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
  const shared = config.metricsPort === own ? ` (METRICS_PORT names it too)` : '';
  return `Cannot listen: ${variable} ${port ?? '(unknown port)'} ${problem}${shared}`;
}

/** Start-up problems a user can fix are one line on stderr, not a stack trace. */
export async function runProcess(
  start: (config: AppConfig) => Promise<INestApplication>,
  options: ProcessOptions,
): Promise<void> {
  let config: AppConfig | undefined;
  try {
    config = loadConfig();
    exitOnSignals(await start(config), {
      timeoutSeconds: config.shutdownTimeout,
      drainMs: options.drainsTraffic ? config.shutdownDrainMs : 0,
    });
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof DatabaseSetupError;
    const line =
      (known ? error.message : undefined) ??
      (config && listenFailure(error, config, options.portVariable)) ??
      String((error as Error).stack ?? error);
    process.stderr.write(`${line}\n`);
    process.exit(1);
  }
}
