import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LENGTH = 24;

/**
 * A payment id: 24 random base62 characters (about 143 bits). It is the provider's
 * out_trade_no (WeChat Pay takes 6-32 characters, Alipay letters, digits and _), so it is
 * letters and digits only, and unguessable, so it names nothing a stranger could look up.
 */
export function newPaymentId(): string {
  return Array.from({ length: LENGTH }, () => ALPHABET.charAt(randomInt(ALPHABET.length))).join('');
}

export const PAYMENT_ID_PATTERN = /^[A-Za-z0-9]{16,32}$/;
