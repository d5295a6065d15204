import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../common/errors/domain-error.js';
import { decideBatch, type OrderRequest } from './order-batch.js';
import type { PlacementPolicy } from './order-placement.js';
import type { BatchFacts, OrderableProductRow } from './order-placement.repository.js';

const product = (id: number, stock: number, is_active = true): OrderableProductRow => ({
  id,
  name: `p${id}`,
  price: '2.50',
  stock,
  is_active,
});
const POLICY: PlacementPolicy = {
  paymentTimeoutSeconds: 60,
  maxPendingOrders: 0,
  maxPendingUnits: 0,
};
const NOW = new Date('2026-01-01T00:00:00.000Z');

const facts = (
  products: OrderableProductRow[],
  orders: number,
  pending: [number, { orders: number; units: number }][] = [],
): BatchFacts => ({
  orderIds: Array.from({ length: orders }, (_, i) => 100 + i),
  products,
  pending: new Map(pending),
});

const order = (userId: number, ...lines: [number, number][]): OrderRequest => ({
  userId,
  lines: lines.map(([product_id, quantity]) => ({ product_id, quantity })),
});

/** The refusal's field errors, or null for a placed order. */
const fieldsOf = (result: ReturnType<typeof decideBatch>[number] | undefined) =>
  result && !result.ok ? (result.error as DomainError).errors : null;

/** Each result as 'ok <id>' or the refusal's kind. */
const outcome = (results: ReturnType<typeof decideBatch>) =>
  results.map((r) => (r.ok ? `ok ${r.value.id}` : (r.error as DomainError).kind));

describe('decideBatch', () => {
  it('gives the stock to the orders in arrival order and refuses the rest with conflict', () => {
    const requests = [1, 2, 3, 4].map((user) => order(user, [1, 1]));
    expect(outcome(decideBatch(requests, facts([product(1, 2)], 4), POLICY, NOW))).toEqual([
      'ok 100',
      'ok 101',
      'conflict',
      'conflict',
    ]);
  });

  it('lets a refused order take nothing, so a later smaller one still fits', () => {
    const requests = [
      order(1, [1, 2]),
      order(2, [1, 2], [2, 5]),
      order(3, [2, 4]),
      order(4, [1, 1]),
    ];
    const results = decideBatch(requests, facts([product(1, 3), product(2, 4)], 4), POLICY, NOW);
    expect(outcome(results)).toEqual(['ok 100', 'conflict', 'ok 102', 'ok 103']);
    expect(fieldsOf(results[1])).toEqual({
      'items.0.quantity': 'only 1 of product 1 in stock',
      'items.1.quantity': 'only 4 of product 2 in stock',
    });
  });

  it('refuses an order naming a missing or inactive product without touching the others', () => {
    const requests = [order(1, [1, 1]), order(2, [9, 1]), order(3, [2, 1]), order(4, [1, 1])];
    const results = decideBatch(
      requests,
      facts([product(1, 2), product(2, 5, false)], 4),
      POLICY,
      NOW,
    );
    expect(outcome(results)).toEqual(['ok 100', 'not_found', 'not_found', 'ok 103']);
  });

  it("counts a customer's earlier orders of the batch against their caps", () => {
    const capped = { ...POLICY, maxPendingOrders: 3, maxPendingUnits: 0 };
    const requests = [order(1, [1, 1]), order(2, [1, 1]), order(1, [1, 1]), order(1, [1, 1])];
    const results = decideBatch(
      requests,
      facts([product(1, 100)], 4, [[1, { orders: 1, units: 1 }]]),
      capped,
      NOW,
    );
    expect(outcome(results)).toEqual(['ok 100', 'ok 101', 'ok 102', 'conflict']);
    expect(fieldsOf(results[3])).toHaveProperty('pending_orders');
  });

  it('prices each order on its own, as decideOrder does', () => {
    const [only] = decideBatch([order(7, [1, 3])], facts([product(1, 10)], 1), POLICY, NOW);
    expect(only?.ok && only.value).toMatchObject({
      id: 100,
      user_id: 7,
      total_amount: '7.50',
      units: 3,
    });
  });

  it('lets anything but a refusal fail the whole batch', () => {
    expect(() => decideBatch([order(1, [1, 1])], facts([product(1, 1)], 0), POLICY, NOW)).toThrow(
      /fewer order ids/,
    );
  });
});
