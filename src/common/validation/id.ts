/** A path id as written: what parseId takes (before its safe-integer check). */
export const ID_PATTERN = /^[1-9]\d{0,15}$/;
const DIGITS = ID_PATTERN;

/**
 * The one rule for ids in paths: a positive integer written plainly (no sign, exponent, leading
 * zero or padding), safe as a JavaScript number. Anything else is undefined.
 */
export function parseId(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}
