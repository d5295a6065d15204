import { expect, vi } from 'vitest';
import { createProduct, type TestUser } from './factories.js';
import type { TestApp } from './test-app.js';

export interface FlashSale {
  id: number;
  product_id: number;
  price: number;
  quantity: number;
  remaining: number;
  per_user_limit: number;
  starts_at: string;
  ends_at: string;
  status: 'scheduled' | 'active' | 'ended';
}

export interface SaleInput {
  product_id?: number;
  price?: number;
  quantity?: number;
  per_user_limit?: number;
  starts_at?: string;
  ends_at?: string;
}

const inSeconds = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString();

export const postSale = (t: TestApp, admin: TestUser, body: Record<string, unknown>) =>
  t.http.post('/api/flash-sales').set('Authorization', admin.bearer).send(body);

/** A product with `stock` and a sale of `quantity` of it, active from now for an hour. */
export async function createSale(
  t: TestApp,
  admin: TestUser,
  input: SaleInput & { stock?: number } = {},
): Promise<FlashSale> {
  const { stock, ...sale } = input;
  const productId =
    sale.product_id ?? (await createProduct(t, admin, { price: 20, stock: stock ?? 100 })).id;
  const res = await postSale(t, admin, {
    price: 5,
    quantity: 10,
    starts_at: inSeconds(-1),
    ends_at: inSeconds(3600),
    ...sale,
    product_id: productId,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { data: FlashSale }).data;
}

export const buy = (t: TestApp, user: TestUser, saleId: number, quantity = 1, key?: string) => {
  const req = t.http.post(`/api/flash-sales/${saleId}/orders`).set('Authorization', user.bearer);
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send({ quantity });
};

export async function saleOf(t: TestApp, id: number): Promise<FlashSale> {
  const res = await t.http.get(`/api/flash-sales/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { data: FlashSale }).data;
}

/** What PostgreSQL says was sold: the sale's row, its orders' units, and per customer. */
export async function ledgerOf(t: TestApp, saleId: number) {
  const { rows } = await t.db.query<{ remaining: number; quantity: number; settled: boolean }>(
    `SELECT remaining, quantity, settled_at IS NOT NULL AS settled FROM flash_sales WHERE id = $1`,
    [saleId],
  );
  const { rows: sold } = await t.db.query<{ user_id: number; units: number }>(
    `SELECT o.user_id, sum(i.quantity)::int AS units
       FROM flash_sale_orders f JOIN orders o ON o.id = f.order_id
       JOIN order_items i ON i.order_id = o.id
      WHERE f.sale_id = $1 AND o.status <> 'cancelled' GROUP BY o.user_id`,
    [saleId],
  );
  const units = sold.reduce((sum, row) => sum + row.units, 0);
  return { sale: rows[0], units, byUser: sold };
}

export const statusCounts = (statuses: number[]): Record<number, number> =>
  statuses.reduce<Record<number, number>>(
    (counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }),
    {},
  );

export { inSeconds };

/** Polls until `check` passes (vitest's waitFor): no fixed sleeps. */
export const until = <T>(check: () => Promise<T> | T, timeout = 10_000): Promise<T> =>
  vi.waitFor(check, { timeout, interval: 50 });
