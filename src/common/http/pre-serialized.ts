/**
 * A response body that is already JSON text. Cached responses stay text from the cache to the
 * socket: the envelope wraps them by concatenation and the adapter writes them as they are,
 * with no parse and no stringify on the way.
 */
export class PreSerialized {
  constructor(readonly json: string) {}
}
