import type { Response } from 'express';

/**
 * A response body that is already JSON text. Cached responses stay text from the cache to the
 * socket, and every success is enveloped as text (see successEnvelope): the adapter writes it
 * as it is, with no parse and no stringify on the way.
 */
export class PreSerialized {
  constructor(readonly json: string) {}
}

/** Writes JSON text as the whole response: the one way a PreSerialized body leaves. */
export function sendJson(res: Response, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(json);
}
