import type { FieldErrors } from '../../common/errors/domain-error.js';
import { toCents } from '../../common/money.js';

/**
 * The rule of a list price (CONTRACT §8): when set, it is at least the price. `sent` is the
 * field the request changed, which the error names (original_price when it sent both).
 */
export function listPriceErrors(
  price: string,
  originalPrice: string | null,
  sent: 'price' | 'original_price',
): FieldErrors | null {
  if (originalPrice === null || toCents(originalPrice) >= toCents(price)) return null;
  return sent === 'original_price'
    ? { original_price: `original_price must not be less than price (${price})` }
    : { price: `price must not be greater than original_price (${originalPrice})` };
}
