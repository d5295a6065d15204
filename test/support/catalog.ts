import { expect } from 'vitest';
import { createOrder, createProduct, type Product, type TestUser } from './factories.js';
import type { TestApp } from './test-app.js';

/** A product the customer received: ordered, paid, shipped and completed. */
export async function receivedProduct(
  t: TestApp,
  admin: TestUser,
  customers: readonly TestUser[],
  product?: Product,
): Promise<Product> {
  const bought = product ?? (await createProduct(t, admin, { stock: 1000 }));
  for (const customer of customers) {
    const order = await createOrder(t, customer, [{ product_id: bought.id, quantity: 1 }]);
    const steps: [TestUser, string, 'post' | 'put'][] = [
      [customer, 'pay', 'post'],
      [admin, 'ship', 'put'],
      [admin, 'complete', 'put'],
    ];
    for (const [who, step, method] of steps) {
      const res = await t.http[method](`/api/orders/${order.id}/${step}`).set(
        'Authorization',
        who.bearer,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  }
  return bought;
}

export const review = (
  t: TestApp,
  user: TestUser,
  productId: number,
  body: Record<string, unknown>,
) => t.http.post(`/api/products/${productId}/reviews`).set('Authorization', user.bearer).send(body);
