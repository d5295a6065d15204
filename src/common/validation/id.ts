const DIGITS = /^[1-9]\d{0,15}$/;

/**
 * The one rule for ids in paths: a positive integer written plainly (no sign, exponent, leading
 * zero or padding), safe as a JavaScript number. Anything else is undefined.
 */
export function parseId(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}
