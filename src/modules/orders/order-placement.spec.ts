import { describe, expect, it } from 'vitest';
import { type DomainError } from '../../common/errors/domain-error.js';
import type { StockLine } from '../products/index.js';
import { decideOrder, type PlacementPolicy } from './order-placement.js';
import type { OrderableProductRow, PlacementFacts } from './order-placement.repository.js';

const product = (
  id: number,
  price: string,
  stock = 100,
  is_active = true,
): OrderableProductRow => ({
  id,
  name: `p${id}`,
  price,
  stock,
  is_active,
});
const catalog = (...products: OrderableProductRow[]) => products;

const NO_CAPS: PlacementPolicy = {
  paymentTimeoutSeconds: 1800,
  maxPendingOrders: 0,
  maxPendingUnits: 0,
};
const NOW = new Date('2026-01-01T00:00:00.000Z');

const facts = (
  products: OrderableProductRow[],
  pending = { orders: 0, units: 0 },
): PlacementFacts => ({ orderId: 42, products, pending });

/** The lines priced as decideOrder prices them, with no caps. */
const priced = (lines: StockLine[], products: OrderableProductRow[]) => {
  const order = decideOrder(7, lines, facts(products), NO_CAPS, NOW);
  return { items: order.items, total: order.total_amount };
};

const failure = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a failure');
};

describe('decideOrder: pricing and refusals', () => {
  it('sells a product named in prices at that price, and remembers the list price it was read at', () => {
    const order = decideOrder(
      7,
      [
        { product_id: 1, quantity: 3 },
        { product_id: 2, quantity: 1 },
      ],
      facts(catalog(product(1, '20.00'), product(2, '4.00'))),
      NO_CAPS,
      NOW,
      new Map([[1, '0.10']]),
    );
    expect(order.items.map((item) => [item.unit_price, item.subtotal])).toEqual([
      ['0.10', '0.30'],
      ['4.00', '4.00'],
    ]);
    expect(order.total_amount).toBe('4.30');
    expect(order.listed_prices).toEqual(['20.00', '4.00']);
  });

  it('snapshots name and price and adds up exactly', () => {
    const { items, total } = priced([{ product_id: 1, quantity: 3 }], catalog(product(1, '0.10')));
    expect(items).toEqual([
      { product_id: 1, product_name: 'p1', quantity: 3, unit_price: '0.10', subtotal: '0.30' },
    ]);
    expect(total).toBe('0.30');
  });

  it('sums several lines', () => {
    const { total } = priced(
      [
        { product_id: 1, quantity: 2 },
        { product_id: 2, quantity: 1 },
      ],
      catalog(product(1, '19.99'), product(2, '0.01')),
    );
    expect(total).toBe('39.99');
  });

  it('answers missing and inactive products with not_found naming each line', () => {
    const error = failure(() =>
      priced(
        [
          { product_id: 1, quantity: 1 },
          { product_id: 2, quantity: 1 },
          { product_id: 3, quantity: 1 },
        ],
        catalog(product(1, '1.00'), product(3, '1.00', 5, false)),
      ),
    );
    expect(error.kind).toBe('not_found');
    expect(Object.keys(error.errors ?? {})).toEqual(['items.1.product_id', 'items.2.product_id']);
  });

  it('answers short stock with conflict, after checking existence', () => {
    const error = failure(() =>
      priced([{ product_id: 1, quantity: 6 }], catalog(product(1, '1.00', 5))),
    );
    expect(error.kind).toBe('conflict');
    expect(error.errors).toEqual({ 'items.0.quantity': 'only 5 of product 1 in stock' });
  });

  it('refuses a total that NUMERIC(12,2) cannot hold', () => {
    const lines = Array.from({ length: 11 }, (_, i) => ({ product_id: i + 1, quantity: 1000 }));
    const products = catalog(...lines.map((l) => product(l.product_id, '1000000.00', 1000)));
    expect(failure(() => priced(lines, products)).kind).toBe('unprocessable');
  });
});

describe('decideOrder: the order it decides', () => {
  it('takes the id read with the facts, and falls due one payment timeout after now', () => {
    const order = decideOrder(
      7,
      [{ product_id: 1, quantity: 2 }],
      facts([product(1, '2.50')]),
      NO_CAPS,
      NOW,
    );
    expect(order).toMatchObject({
      id: 42,
      user_id: 7,
      total_amount: '5.00',
      created_at: NOW,
      expires_at: new Date('2026-01-01T00:30:00.000Z'),
      units: 2,
      caps: { orders: null, units: null },
    });
  });

  it('keeps the lines in the order asked, whatever order the products were read in', () => {
    const order = decideOrder(
      7,
      [
        { product_id: 2, quantity: 1 },
        { product_id: 1, quantity: 1 },
      ],
      facts([product(1, '1.00'), product(2, '2.00')]),
      NO_CAPS,
      NOW,
    );
    expect(order.items.map((item) => item.product_id)).toEqual([2, 1]);
  });
});

describe('decideOrder: per-customer caps', () => {
  const CAPS: PlacementPolicy = { ...NO_CAPS, maxPendingOrders: 3, maxPendingUnits: 10 };
  const decide = (quantity: number, pending: { orders: number; units: number }) =>
    decideOrder(7, [{ product_id: 1, quantity }], facts([product(1, '1.00')], pending), CAPS, NOW);

  it('lets an order reach both caps exactly, and writes the caps it was decided under', () => {
    expect(decide(4, { orders: 2, units: 6 }).caps).toEqual({ orders: 3, units: 10 });
  });

  it('refuses one pending order too many with conflict naming pending_orders', () => {
    const error = failure(() => decide(1, { orders: 3, units: 3 }));
    expect(error.kind).toBe('conflict');
    expect(error.message).toBe('Limit of pending orders reached');
    expect(Object.keys(error.errors ?? {})).toEqual(['pending_orders']);
  });

  it('refuses units past the cap with conflict naming pending_units and the figures', () => {
    const error = failure(() => decide(5, { orders: 1, units: 6 }));
    expect(error.kind).toBe('conflict');
    expect(error.message).toBe('Limit of units in pending orders reached');
    expect(error.errors).toEqual({
      pending_units:
        'at most 10 units in pending orders per customer: you hold 6 and this order adds 5',
    });
  });

  it('names both limits when the order passes both', () => {
    const error = failure(() => decide(11, { orders: 3, units: 0 }));
    expect(error.message).toBe('Limit of pending orders and units in pending orders reached');
    expect(Object.keys(error.errors ?? {})).toEqual(['pending_orders', 'pending_units']);
  });

  it('checks the products before the caps', () => {
    const error = failure(() =>
      decideOrder(
        7,
        [{ product_id: 9, quantity: 1 }],
        facts([], { orders: 3, units: 10 }),
        CAPS,
        NOW,
      ),
    );
    expect(error.kind).toBe('not_found');
  });

  it('has no cap where the policy says 0', () => {
    const pending = { orders: 1_000_000, units: 1_000_000 };
    const order = decideOrder(
      7,
      [{ product_id: 1, quantity: 1000 }],
      facts([product(1, '1.00', 1000)], pending),
      NO_CAPS,
      NOW,
    );
    expect(order.caps).toEqual({ orders: null, units: null });
  });
});
