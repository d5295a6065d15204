import { describe, expect, it } from 'vitest';
import { type DomainError } from '../../common/errors/domain-error.js';
import type { LockedProduct } from '../products/products.repository.js';
import { priceOrder } from './order-placement.js';

const product = (id: number, price: string, stock = 100, is_active = true): LockedProduct => ({
  id,
  name: `p${id}`,
  price,
  stock,
  is_active,
});
const catalog = (...products: LockedProduct[]) => new Map(products.map((p) => [p.id, p]));

const failure = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a failure');
};

describe('priceOrder', () => {
  it('snapshots name and price and adds up exactly', () => {
    const { items, total } = priceOrder(
      [{ product_id: 1, quantity: 3 }],
      catalog(product(1, '0.10')),
    );
    expect(items).toEqual([
      { product_id: 1, product_name: 'p1', quantity: 3, unit_price: '0.10', subtotal: '0.30' },
    ]);
    expect(total).toBe('0.30');
  });

  it('sums several lines', () => {
    const { total } = priceOrder(
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
      priceOrder(
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
      priceOrder([{ product_id: 1, quantity: 6 }], catalog(product(1, '1.00', 5))),
    );
    expect(error.kind).toBe('conflict');
    expect(error.errors).toEqual({ 'items.0.quantity': 'only 5 of product 1 in stock' });
  });

  it('refuses a total that NUMERIC(12,2) cannot hold', () => {
    const lines = Array.from({ length: 11 }, (_, i) => ({ product_id: i + 1, quantity: 1000 }));
    const products = catalog(...lines.map((l) => product(l.product_id, '1000000.00', 1000)));
    expect(failure(() => priceOrder(lines, products)).kind).toBe('unprocessable');
  });
});
