import { ValidateBy } from 'class-validator';

/**
 * A finite number with at most two decimals (cents). Checked by rounding, not by reading the
 * digits after the point as class-validator's maxDecimalPlaces does: that reads String(value)
 * and throws on the exponent form JavaScript prints small numbers in (1e-7).
 */
export function isMoneyAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(2)) === value;
}

/** The field is a money amount (isMoneyAmount); its range is the field's own Min and Max. */
export const IsMoneyAmount = (message: string): PropertyDecorator =>
  ValidateBy({ name: 'isMoneyAmount', validator: { validate: isMoneyAmount } }, { message });
