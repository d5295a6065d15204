import type { Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, startWorker, type TestApp } from '../support/test-app.js';

/**
 * CONTRACT §5 "Abuse limits": headers must arrive within 10 s and a body within 30 s, or the
 * connection is closed (408 where a response is still possible). The limits are configuration,
 * so these apps run with 1 s and 2 s; raw sockets play the slow clients.
 */

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
/** Node checks these deadlines every 250 ms; allow that and some scheduling. */
const SLACK_MS = 1000;

const bounded = {
  HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
  HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
};

interface Outcome {
  closedAfterMs: number;
  received: string;
}

/**
 * Opens a raw connection, writes `first`, then `trickle` every 200 ms until the server closes
 * the connection (or 15 s pass, which fails the test).
 */
function slowClient(url: string, first: string, trickle: string): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(first);
    });
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(trickle);
    }, 200);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server never closed the connection'));
    }, 15_000);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: performance.now() - started, received });
    });
  });
}

const slowHeaders = (url: string): Promise<Outcome> =>
  slowClient(url, 'GET /health/live HTTP/1.1\r\nHost: shop\r\n', 'X-Slow: still-coming\r\n');

const slowBody = (url: string, path: string): Promise<Outcome> =>
  slowClient(
    url,
    `POST ${path} HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"username":"`,
    'a',
  );

/** A raw response in the contract's error format, its X-Request-ID in header and body. */
function expectErrorFormat(raw: string, status: number): { path: string } {
  const [head = '', json = ''] = raw.split('\r\n\r\n');
  const requestId = /^x-request-id: (\S+)$/im.exec(head)?.[1];
  expect(requestId).toBeDefined();
  const body = JSON.parse(json) as { path: string };
  expect(body).toMatchObject({ code: status, errors: null, request_id: requestId });
  return body;
}

function expectCutAfter(outcome: Outcome, deadlineMs: number): void {
  expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(deadlineMs - 50);
  expect(outcome.closedAfterMs).toBeLessThan(deadlineMs + SLACK_MS);
}

describe.each([
  ['api', startApp],
  ['worker', startWorker],
] as const)('the %s process', (name, start) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await start(bounded);
  });
  afterAll(() => t.close());

  it('closes a connection whose headers do not arrive within HTTP_HEADERS_TIMEOUT_MS, with 408', async () => {
    const outcome = await slowHeaders(t.url);
    expectCutAfter(outcome, HEADERS_MS);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
    expectErrorFormat(outcome.received, 408);
  });

  it('answers what is not HTTP at all with 400 in the error format, and closes', async () => {
    const outcome = await slowClient(t.url, 'NOT HTTP AT ALL\r\n\r\n', '');
    expect(outcome.received).toMatch(/^HTTP\/1\.1 400 /);
    expectErrorFormat(outcome.received, 400);
  });

  it('answers an Expect other than 100-continue with 417 in the error format, its request id echoed', async () => {
    const outcome = await slowClient(
      t.url,
      'POST /api/products/batch HTTP/1.1\r\nHost: shop\r\nExpect: foo\r\nX-Request-ID: expect-1\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n',
      '',
    );
    expect(outcome.received).toMatch(/^HTTP\/1\.1 417 /);
    expect(expectErrorFormat(outcome.received, 417).path).toBe('/api/products/batch');
    expect(outcome.received).toMatch(/^x-request-id: expect-1\r$/im);
  });

  it('closes a connection that sends nothing at all', async () => {
    const outcome = await slowClient(t.url, '', '');
    expectCutAfter(outcome, HEADERS_MS);
  });

  it('closes a connection whose body does not arrive within HTTP_REQUEST_TIMEOUT_MS', async () => {
    // The api reads the body of a login and answers 408; the worker reads no bodies, so it may
    // have answered the route already, and then only closes the connection.
    const outcome = await slowBody(t.url, name === 'api' ? '/api/auth/login' : '/health/live');
    expectCutAfter(outcome, REQUEST_MS);
    if (name === 'api') {
      expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(expectErrorFormat(outcome.received, 408).path).toBe('/api/auth/login');
    }
  });

  it('still answers a client that sends its request at once', async () => {
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
  });
});

describe('the deadlines by default', () => {
  it.each([
    ['api', startApp],
    ['worker', startWorker],
  ] as const)(
    'are the contract numbers on the %s: headers 10 s, the whole request 30 s',
    async (_name, start) => {
      const t = await start();
      try {
        const server = t.app.getHttpServer() as Server;
        expect([server.headersTimeout, server.requestTimeout]).toEqual([10_000, 30_000]);
      } finally {
        await t.close();
      }
    },
  );
});
