import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, type INestApplication } from '@nestjs/common';
import { ServingState } from '../modules/health/index.js';
import { shutdownTelemetry } from '../telemetry/telemetry-state.js';

export interface ShutdownOptions {
  /** Seconds the whole shutdown may take before the process gives up and exits 1. */
  readonly timeoutSeconds: number;
  /** Milliseconds to go on accepting, reporting not ready, before the listener closes. */
  readonly drainMs: number;
}

/** Stops accepting connections and resolves once the requests in flight have been answered. */
const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
  });

/**
 * On SIGTERM or SIGINT:
 * 1. report not ready (readiness 503), and keep accepting and answering for drainMs, each answer
 *    with `Connection: close` so keep-alive clients reconnect elsewhere. Closing the listener at
 *    once would reset the connections still waiting in its backlog (Node 26 does), requests a
 *    load balancer sent before it saw the pod go;
 * 2. stop accepting, close idle keep-alive connections, answer the requests in flight;
 * 3. run every module's shutdown hooks (workers, queues, pools), then exit 0.
 * Draining first means no hook runs under a request still being answered (Nest runs its
 * onModuleDestroy and beforeApplicationShutdown hooks before it closes the server). Nest's own
 * signal handling would also re-raise the signal, ending the process by signal, not status 0.
 */
export function exitOnSignals(app: INestApplication, options: ShutdownOptions): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    logger.log(`${signal} received: draining for ${options.drainMs} ms, then closing`);
    setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${options.timeoutSeconds}s; exiting\n`);
      process.exit(1);
    }, options.timeoutSeconds * 1000).unref();
    const server = app.getHttpServer() as Server;
    app.get(ServingState, { strict: false }).drain();
    if (options.drainMs > 0) {
      server.prependListener('request', (_req, res: { setHeader(n: string, v: string): void }) => {
        res.setHeader('Connection', 'close');
      });
      await sleep(options.drainMs);
    }
    await closeServer(server);
    await app.close();
    await shutdownTelemetry();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
