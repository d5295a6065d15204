import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/infra/database/database.js';
import { decideOrder, type PlacementPolicy } from '../../src/modules/orders/order-placement.js';
import {
  OrderPlacementRepository,
  type NewOrder,
} from '../../src/modules/orders/order-placement.repository.js';
import {
  createOrder,
  createProduct,
  signUp,
  stockOf,
  type Product,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

// The write of a placement against the real database: it carries out a decision, and refuses
// one whose facts changed after they were read (the race HTTP alone cannot time).
let t: TestApp;
let admin: TestUser;
let customer: TestUser;

const POLICY: PlacementPolicy = {
  paymentTimeoutSeconds: 1800,
  maxPendingOrders: 3,
  maxPendingUnits: 0,
};

beforeAll(async () => {
  t = await startApp();
  [admin, customer] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(() => t.close());

const repository = () => t.app.get(OrderPlacementRepository);
const pool = () => t.app.get(Database).pool;

/** An order of `quantity` units of the product, decided from the facts as they are now. */
async function decided(product: Product, quantity = 1): Promise<NewOrder> {
  const lines = [{ product_id: product.id, quantity }];
  const facts = await repository().facts(pool(), customer.id, [product.id]);
  return decideOrder(customer.id, lines, facts, POLICY, new Date());
}

const orderExists = async (id: number): Promise<boolean> =>
  (await t.db.query('SELECT 1 FROM orders WHERE id = $1', [id])).rows.length === 1;

describe('writing a decided order', () => {
  it('stores exactly what was decided and answers the rows as stored', async () => {
    const product = await createProduct(t, admin, { price: 2.5, stock: 10 });
    const order = await decided(product, 2);
    const placed = await repository().place(pool(), order, []);
    expect(placed?.order).toMatchObject({
      id: order.id,
      user_id: customer.id,
      status: 'pending',
      total_amount: '5.00',
      created_at: order.created_at,
      expires_at: order.expires_at,
    });
    expect(placed?.items).toEqual([
      {
        order_id: order.id,
        product_id: product.id,
        product_name: product.name,
        quantity: 2,
        unit_price: '2.50',
        subtotal: '5.00',
      },
    ]);
    expect((await stockOf(t, product.id)).stock).toBe(8);
  });

  it.each([
    ['its price changed', { price: 3 }],
    ['its stock was taken', { stock: 0 }],
  ])('refuses the whole order, writing nothing, when a product changed: %s', async (_, patch) => {
    const [product, other] = await Promise.all([
      createProduct(t, admin, { price: 2.5, stock: 10 }),
      createProduct(t, admin, { stock: 10 }),
    ]);
    const lines = [
      { product_id: other.id, quantity: 1 },
      { product_id: product.id, quantity: 1 },
    ];
    const facts = await repository().facts(pool(), customer.id, [other.id, product.id]);
    const order = decideOrder(customer.id, lines, facts, POLICY, new Date());
    const changed = await t.http
      .patch(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send(patch);
    expect(changed.status).toBe(200);
    expect(await repository().place(pool(), order, [])).toBeNull();
    expect(await orderExists(order.id)).toBe(false);
    expect((await stockOf(t, other.id)).stock).toBe(10);
  });

  it('refuses an order whose product went off sale after it was priced', async () => {
    const product = await createProduct(t, admin, { stock: 10 });
    const order = await decided(product);
    const gone = await t.http
      .delete(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer);
    expect(gone.status).toBe(204);
    expect(await repository().place(pool(), order, [])).toBeNull();
    expect(await orderExists(order.id)).toBe(false);
    expect((await stockOf(t, product.id)).stock).toBe(10);
  });

  it("refuses an order decided under a cap that the customer's other orders have since reached", async () => {
    const buyer = await signUp(t);
    const product = await createProduct(t, admin, { stock: 100 });
    const lines = [{ product_id: product.id, quantity: 1 }];
    const facts = await repository().facts(pool(), buyer.id, [product.id]);
    const order = decideOrder(buyer.id, lines, facts, POLICY, new Date());
    for (let i = 0; i < POLICY.maxPendingOrders; i++) await createOrder(t, buyer, lines);
    expect(await repository().place(pool(), order, [])).toBeNull();
    expect(await orderExists(order.id)).toBe(false);
  });
});
