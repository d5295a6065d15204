/**
 * A keyset position: the sort column's value as exact text (null for a null value) and the row's
 * id, which breaks ties. What a cursor carries, opaque to clients (base64url JSON).
 */
export interface Position {
  key: string | null;
  id: number;
}

/** Longer than any sort value a list has (a product name is at most 200 characters). */
export const MAX_KEY_LENGTH = 300;

/**
 * Enough for every cursor issued: base64url of the scope, a key of MAX_KEY_LENGTH characters
 * that JSON escapes to six each (control characters), and an id.
 */
export const MAX_CURSOR_LENGTH = 4096;

export const encodeCursor = (scope: string, position: Position): string =>
  Buffer.from(JSON.stringify([scope, position.key, position.id])).toString('base64url');

/** The position a cursor of this scope names; undefined for anything else (then a 400). */
export function decodeCursor(scope: string, cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips trailing characters that make no whole byte: such a cursor is not ours.
  if (bytes.toString('base64url') !== cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [cursorScope, key, id] = parsed as unknown[];
  if (cursorScope !== scope) return undefined;
  if (key !== null && (typeof key !== 'string' || key.length > MAX_KEY_LENGTH)) return undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return undefined;
  return { key, id };
}
