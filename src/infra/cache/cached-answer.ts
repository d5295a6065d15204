/**
 * What a cached route answered: the data of its success as JSON text (kept as text from the
 * cache to the socket, so a hit is never parsed or serialised again), or the message of a
 * not-found, which is cached briefly too.
 */
export type CachedAnswer =
  | { readonly found: true; readonly json: string }
  | { readonly found: false; readonly message: string };

const FOUND = 'D';
const MISSING = 'M';

/**
 * The one codec of cache entries: one letter, then the text. Only ResponseCache stores and reads
 * entries, through these two functions; everything else sees a CachedAnswer.
 */
export const encodeAnswer = (answer: CachedAnswer): string =>
  answer.found ? `${FOUND}${answer.json}` : `${MISSING}${answer.message}`;

export const decodeAnswer = (entry: string): CachedAnswer =>
  entry.startsWith(MISSING)
    ? { found: false, message: entry.slice(1) }
    : { found: true, json: entry.slice(1) };
