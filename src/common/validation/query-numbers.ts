import { Transform } from 'class-transformer';

const INTEGER = /^-?\d{1,16}$/;
const DECIMAL = /^-?\d{1,16}(\.\d{1,16})?$/;

const plainly =
  (pattern: RegExp) =>
  ({ value }: { value: unknown }): unknown =>
    typeof value === 'string' && pattern.test(value) ? Number(value) : value;

/**
 * A query parameter that is an integer written plainly in decimal ("20", "-1"). Anything else
 * ("1e2", "0x10", "1.0", " 1", an empty value) stays the string it was, for the validators to
 * refuse as not an integer, where Number() would have read a number into it.
 */
export const QueryInteger = (): PropertyDecorator => Transform(plainly(INTEGER));

/** Like QueryInteger, for a decimal number ("9.99"): no exponent, hex, padding or Infinity. */
export const QueryDecimal = (): PropertyDecorator => Transform(plainly(DECIMAL));
