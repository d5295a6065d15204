import { DomainError } from '../../common/errors/domain-error.js';
import type { StockLine } from '../products/index.js';
import type { Settled } from './order-batcher.js';
import { decideOrder, type PlacementPolicy } from './order-placement.js';
import type { BatchFacts, NewOrder, PlacementFacts } from './order-placement.repository.js';

/** One order of a batch, as decideOrder takes it. */
export interface OrderRequest {
  userId: number;
  lines: readonly StockLine[];
  /** Unit prices that replace the list prices of the products named (a flash sale's). */
  prices?: ReadonlyMap<number, string>;
}

/**
 * Decides a batch of orders in arrival order, each by decideOrder on the facts as the orders
 * before it in the batch left them (their stock taken, their customer's pending counters
 * raised): the first orders get the stock, an order that cannot have all of its lines is
 * refused with its own error and takes nothing, and the ones after it are decided as if it
 * had never been asked. Only a DomainError refuses one order; anything else is a bug and
 * fails the batch.
 */
export function decideBatch(
  requests: readonly OrderRequest[],
  facts: BatchFacts,
  policy: PlacementPolicy,
  now: Date,
): Settled<NewOrder>[] {
  const stock = new Map(facts.products.map((product) => [product.id, product.stock]));
  const pending = new Map(facts.pending);
  return requests.map((request, i) => {
    const orderId = facts.orderIds[i];
    if (orderId === undefined) throw new Error('the batch facts hold fewer order ids than orders');
    const wanted = new Set(request.lines.map((line) => line.product_id));
    const held = pending.get(request.userId) ?? { orders: 0, units: 0 };
    const orderFacts: PlacementFacts = {
      orderId,
      products: facts.products
        .filter((product) => wanted.has(product.id))
        .map((product) => ({ ...product, stock: stock.get(product.id) ?? 0 })),
      pending: held,
    };
    try {
      const order = decideOrder(
        request.userId,
        request.lines,
        orderFacts,
        policy,
        now,
        request.prices,
      );
      for (const item of order.items) {
        stock.set(item.product_id, (stock.get(item.product_id) ?? 0) - item.quantity);
      }
      pending.set(request.userId, { orders: held.orders + 1, units: held.units + order.units });
      return { ok: true, value: order };
    } catch (error) {
      if (error instanceof DomainError) return { ok: false, error };
      throw error;
    }
  });
}
