import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from './processes.js';

export { rsaKeyPair } from './rsa-keys.js';

export interface StandInRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server listening on 127.0.0.1:port. */
export async function listen(
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve();
    });
  });
  return server;
}

/** Closes it and every connection open to it: callers see their connections refused or reset. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

/**
 * A provider's local HTTP stand-in: it listens on its own port, records every request, can
 * fail the next calls matching a predicate with a 5xx, and can go down (connections refused,
 * open ones closed) and come back. A subclass answers the provider's documented endpoints.
 */
export abstract class StandInServer {
  readonly received: StandInRequest[] = [];
  private readonly failures: { matches: (r: StandInRequest) => boolean; times: number }[] = [];
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next `times` requests that `matches` are answered with the provider's 5xx. */
  fail(matches: (r: StandInRequest) => boolean, times: number): void {
    this.failures.push({ matches, times });
  }

  async up(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.server = await listen(this.port, (req, res) => {
      void this.receive(req, res);
    });
  }

  /** Stops listening: calls are refused, as when the provider is unreachable. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await close(server);
  }

  /** Answers one request of the provider's API. */
  protected abstract answer(request: StandInRequest, res: ServerResponse): void;

  /** The provider's answer to a request it failed on its side. */
  protected abstract failure(res: ServerResponse): void;

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: StandInRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.received.push(request);
    const failure = this.failures.find((f) => f.times > 0 && f.matches(request));
    if (failure) {
      failure.times -= 1;
      this.failure(res);
      return;
    }
    this.answer(request, res);
  }
}
