import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
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

/**
 * How long connections accepted before the listener closed may take to deliver their request.
 * Until Node has read a request, its connection counts as idle, and http.Server.close() would
 * reset it; a busy event loop may not have read for a few milliseconds.
 */
const ACCEPTED_SETTLE_MS = 250;

/**
 * Stops accepting connections and resolves once the requests in flight have been answered. It
 * closes the listener as net.Server does, which leaves the accepted connections open, waits
 * for the requests already sent on them, and only then closes the connections still idle (every
 * answer from now on says `Connection: close`, so the busy ones close after theirs).
 */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    NetServer.prototype.close.call(server, () => {
      resolve();
    });
  });
  await sleep(ACCEPTED_SETTLE_MS);
  server.closeIdleConnections();
  await closed;
}

/**
 * On SIGTERM or SIGINT:
 * 1. report not ready (readiness 503), and keep accepting and answering for drainMs, each answer
 *    with `Connection: close` so keep-alive clients reconnect elsewhere (every answer from
 *    the signal on says so, drain or not). Closing the listener at
 *    once would reset the connections still waiting in its backlog (Node 26 does), requests a
 *    load balancer sent before it saw the pod go;
 * 2. stop accepting, answer the requests in flight and those already sent on accepted
 *    connections, then close the idle ones;
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
    server.prependListener('request', (_req, res: { setHeader(n: string, v: string): void }) => {
      res.setHeader('Connection', 'close');
    });
    if (options.drainMs > 0) await sleep(options.drainMs);
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
