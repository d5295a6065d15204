/** What a JSON body may hold before parsing it, let alone validating it, is refused. */
export interface JsonShapeLimits {
  /** Object keys in all, across the whole body. */
  readonly maxKeys: number;
  /** Array elements in all, across the whole body. */
  readonly maxArrayItems: number;
  /** Objects and arrays nested in one another. */
  readonly maxDepth: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isWhitespace = (byte: number): boolean =>
  byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * Where the string opened at `open` ends: the next quote not escaped by an odd run of
 * backslashes, found with indexOf (native) rather than byte by byte; -1 when it never ends.
 * Each backslash run is looked at once, so this too is linear.
 */
function stringEnd(bytes: Uint8Array, open: number): number {
  let quote = open;
  for (;;) {
    quote = bytes.indexOf(QUOTE, quote + 1);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/**
 * Reads the raw UTF-8 bytes of a JSON text once, without recursion and without building
 * anything, and says which limit it passes, stopping there. Parsing an object of 128k keys
 * costs tens of milliseconds and validating it seconds; this costs a linear scan of the bytes
 * up to the first key too many. Only bytes outside strings are structural, and in UTF-8 no byte
 * of a multi-byte character is ASCII, so counting ':' in objects and ',' in arrays is exact for
 * valid JSON (invalid JSON fails the parse anyway).
 */
export function jsonShapeViolation(bytes: Uint8Array, limits: JsonShapeLimits): string | undefined {
  let depth = 0;
  let keys = 0;
  let items = 0;
  // Whether each open container is an array; at most maxDepth entries.
  const isArray: boolean[] = [false];
  let arrayJustOpened = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (isWhitespace(byte)) continue;
    if (arrayJustOpened) {
      arrayJustOpened = false;
      if (byte !== CLOSE_BRACKET && ++items > limits.maxArrayItems) {
        return `JSON body has more than ${limits.maxArrayItems} array elements`;
      }
    }
    switch (byte) {
      case QUOTE:
        i = stringEnd(bytes, i);
        if (i === -1) return undefined;
        break;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (++depth > limits.maxDepth) {
          return `JSON body nests deeper than ${limits.maxDepth} levels`;
        }
        isArray[depth] = byte === OPEN_BRACKET;
        arrayJustOpened = byte === OPEN_BRACKET;
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if (depth > 0) depth--;
        break;
      case COLON:
        if (++keys > limits.maxKeys) return `JSON body has more than ${limits.maxKeys} object keys`;
        break;
      case COMMA:
        if (isArray[depth] === true && ++items > limits.maxArrayItems) {
          return `JSON body has more than ${limits.maxArrayItems} array elements`;
        }
        break;
      default:
        break;
    }
  }
  return undefined;
}
