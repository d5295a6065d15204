import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody } from '../common/filters/all-exceptions.filter.js';
import { REQUEST_ID_HEADER, requestIdFor } from '../common/http/request-id.js';

/** What Node answers itself, before any handler: the same statuses, in the contract's format. */
const ANSWERS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: 'Chunk extensions are too large' },
};
const MALFORMED = { status: 400, message: 'Malformed HTTP request' };

/** The response Node has begun for this connection's request, if its headers were parsed. */
const inFlight = (socket: Socket): ServerResponse | undefined =>
  (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage ?? undefined;

const errorJson = (
  status: number,
  message: string,
  url: string | undefined,
  requestId: string,
): string => {
  const body: ErrorBody = {
    code: status,
    message,
    errors: null,
    timestamp: new Date().toISOString(),
    path: url?.split('?')[0] ?? '',
    request_id: requestId,
  };
  return JSON.stringify(body);
};

/**
 * The server's `checkExpectation` handler: an Expect header other than 100-continue, which Node
 * answers itself with a bare 417, is answered in the error format with X-Request-ID (and the
 * connection closed, as the body that may follow is not read).
 */
export function answerUnmetExpectation(req: IncomingMessage, res: ServerResponse): void {
  const sent = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  const requestId = requestIdFor(typeof sent === 'string' ? sent : undefined);
  const json = errorJson(417, 'Only the expectation 100-continue is supported', req.url, requestId);
  res.writeHead(417, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    [REQUEST_ID_HEADER]: requestId,
    Connection: 'close',
  });
  res.end(json);
}

/**
 * The server's `clientError` handler: a request Node refuses before any handler sees it (headers
 * or body too slow, headers too large, not HTTP at all) is answered like every other error, in
 * the error format with X-Request-ID (the request's own when its headers were read), where
 * Node would write a bare status line. As Node does, nothing is written once a response has
 * begun, and the connection is closed either way.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  const response = inFlight(socket);
  if (socket.writable && error.code !== 'ECONNRESET' && !response?.headersSent) {
    const { status, message } = ANSWERS[error.code ?? ''] ?? MALFORMED;
    const sent = response?.getHeader(REQUEST_ID_HEADER);
    const requestId = typeof sent === 'string' ? sent : randomUUID();
    const json = errorJson(status, message, response?.req.url, requestId);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(json)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        json,
    );
  }
  socket.destroy(error);
}
