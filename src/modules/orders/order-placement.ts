import {
  conflict,
  DomainError,
  unprocessable,
  type FieldErrors,
} from '../../common/errors/domain-error.js';
import { fromCents, MAX_AMOUNT_CENTS, toCents } from '../../common/money.js';
import type { StockLine } from '../products/index.js';
import type { OrderStatus } from './order.entity.js';
import type {
  NewOrder,
  NewOrderItem,
  OrderableProductRow,
  PlacementFacts,
} from './order-placement.repository.js';

export interface PlacementPolicy {
  paymentTimeoutSeconds: number;
  /** Pending orders a customer may hold; 0: no cap. */
  maxPendingOrders: number;
  /** Units a customer may hold in pending orders; 0: no cap. */
  maxPendingUnits: number;
}

/** Orders in this status hold their stock and count against their customer's caps. */
export const HOLDING_STATUS: OrderStatus = 'pending';

/** The units an order holds while it is pending. */
export const unitsOf = (lines: readonly StockLine[]): number =>
  lines.reduce((units, line) => units + line.quantity, 0);

/** Every line's product exists and is on sale, and has the stock: else 404, then 409. */
function checkLines(
  lines: readonly StockLine[],
  products: ReadonlyMap<number, OrderableProductRow>,
): OrderableProductRow[] {
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
  return lines.map((line) => products.get(line.product_id) as OrderableProductRow);
}

/**
 * Name and price snapshotted, money added in integer cents; a total NUMERIC(12,2) cannot hold is
 * 422. A product named in `prices` is sold at that price instead of its list price (a flash sale).
 */
function price(
  lines: readonly StockLine[],
  products: readonly OrderableProductRow[],
  prices: ReadonlyMap<number, string>,
): { items: NewOrderItem[]; total: string } {
  let totalCents = 0;
  const items = lines.map((line, i) => {
    const product = products[i] as OrderableProductRow;
    const unitPrice = prices.get(product.id) ?? product.price;
    const subtotalCents = toCents(unitPrice) * line.quantity;
    totalCents += subtotalCents;
    return {
      product_id: product.id,
      product_name: product.name,
      quantity: line.quantity,
      unit_price: unitPrice,
      subtotal: fromCents(subtotalCents),
    };
  });
  if (totalCents > MAX_AMOUNT_CENTS) {
    throw unprocessable(`The order total exceeds the maximum of ${fromCents(MAX_AMOUNT_CENTS)}`);
  }
  return { items, total: fromCents(totalCents) };
}

/** The per-customer caps (CONTRACT §5 "Abuse limits"): 409 naming each limit the order passes. */
function checkCaps(pending: PlacementFacts['pending'], units: number, policy: PlacementPolicy) {
  const passed: FieldErrors = {};
  if (policy.maxPendingOrders > 0 && pending.orders + 1 > policy.maxPendingOrders) {
    passed.pending_orders =
      `at most ${policy.maxPendingOrders} pending orders per customer, and you have ` +
      `${pending.orders}: pay or cancel one first`;
  }
  if (policy.maxPendingUnits > 0 && pending.units + units > policy.maxPendingUnits) {
    passed.pending_units =
      `at most ${policy.maxPendingUnits} units in pending orders per customer: you hold ` +
      `${pending.units} and this order adds ${units}`;
  }
  if (Object.keys(passed).length > 0) {
    const limits = [
      passed.pending_orders && 'pending orders',
      passed.pending_units && 'units in pending orders',
    ].filter(Boolean);
    throw new DomainError('conflict', `Limit of ${limits.join(' and ')} reached`, passed);
  }
  return {
    orders: policy.maxPendingOrders > 0 ? policy.maxPendingOrders : null,
    units: policy.maxPendingUnits > 0 ? policy.maxPendingUnits : null,
  };
}

/**
 * Decides an order from the facts read for it: pure, so every rule of placing an order (what
 * is a 404, a 409 or a 422, how money adds up, what the caps allow, when the deadline falls) is
 * here once, unit-tested, and the database only carries out what it returns.
 */
export function decideOrder(
  userId: number,
  lines: readonly StockLine[],
  facts: PlacementFacts,
  policy: PlacementPolicy,
  now: Date,
  prices: ReadonlyMap<number, string> = new Map(),
): NewOrder {
  const products = checkLines(lines, new Map(facts.products.map((p) => [p.id, p])));
  const { items, total } = price(lines, products, prices);
  const units = unitsOf(lines);
  const caps = checkCaps(facts.pending, units, policy);
  return {
    id: facts.orderId,
    user_id: userId,
    total_amount: total,
    created_at: now,
    expires_at: new Date(now.getTime() + policy.paymentTimeoutSeconds * 1000),
    items,
    listed_prices: products.map((product) => product.price),
    units,
    caps,
  };
}

/** Placing an order that the facts changed under too many times over: rare, worth a retry. */
export const placementKeptChanging = (): DomainError =>
  conflict('The products changed while the order was being placed; please retry');
