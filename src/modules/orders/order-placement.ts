import { DomainError, unprocessable, type FieldErrors } from '../../common/errors/domain-error.js';
import { fromCents, MAX_AMOUNT_CENTS, toCents } from '../../common/money.js';
import type { LockedProduct, StockLine } from '../products/products.repository.js';
import type { NewOrderItem } from './orders.repository.js';

/**
 * Checks requested lines against the locked products and prices them: pure, so every rule
 * (what is a 404, what is a 409, how money adds up) is visible and unit-tested in one place.
 */
export function priceOrder(
  lines: readonly StockLine[],
  products: ReadonlyMap<number, LockedProduct>,
): { items: NewOrderItem[]; total: string } {
  const missing: FieldErrors = {};
  const short: FieldErrors = {};
  lines.forEach((line, i) => {
    const product = products.get(line.product_id);
    if (!product?.is_active) {
      missing[`items.${i}.product_id`] =
        `product ${line.product_id} does not exist or is not on sale`;
    } else if (product.stock < line.quantity) {
      short[`items.${i}.quantity`] = `only ${product.stock} of product ${line.product_id} in stock`;
    }
  });
  if (Object.keys(missing).length > 0)
    throw new DomainError('not_found', 'Product not found', missing);
  if (Object.keys(short).length > 0) throw new DomainError('conflict', 'Not enough stock', short);

  let totalCents = 0;
  const items = lines.map((line) => {
    const product = products.get(line.product_id) as LockedProduct;
    const subtotalCents = toCents(product.price) * line.quantity;
    totalCents += subtotalCents;
    return {
      product_id: product.id,
      product_name: product.name,
      quantity: line.quantity,
      unit_price: product.price,
      subtotal: fromCents(subtotalCents),
    };
  });
  if (totalCents > MAX_AMOUNT_CENTS) {
    throw unprocessable(`The order total exceeds the maximum of ${fromCents(MAX_AMOUNT_CENTS)}`);
  }
  return { items, total: fromCents(totalCents) };
}
