/**
 * Money as integer cents. Amounts arrive from PostgreSQL as exact NUMERIC(12,2) text and leave
 * as text again; arithmetic happens on integers, never on binary fractions, so 3 × 0.10 is 0.30.
 * Every amount here is far below 2^53 cents.
 */
const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** The largest amount a NUMERIC(12,2) column holds. */
export const MAX_AMOUNT_CENTS = 999_999_999_999;

export function toCents(amount: string): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new Error(`not a decimal amount: ${amount}`);
  const [, sign, units = '0', fraction = ''] = match;
  const cents = Number(units) * 100 + Number(fraction.padEnd(2, '0'));
  return sign ? -cents : cents;
}

export function fromCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The JSON number for an exact amount: "0.30" becomes 0.3, never 0.30000000000000004. */
export const toJsonNumber = (amount: string): number => Number(amount);
