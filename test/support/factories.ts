import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

export const unique = (prefix = 'u'): string => `${prefix}${randomBytes(5).toString('hex')}`;

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export interface TestUser {
  id: number;
  email: string;
  username: string;
  password: string;
  tokens: Tokens;
  /** `Authorization` header value for this user's access token. */
  bearer: string;
}

export async function register(
  t: TestApp,
  fields: Partial<{ email: string; username: string; password: string }> = {},
): Promise<{ id: number; email: string; username: string; password: string }> {
  const username = fields.username ?? unique();
  const body = {
    email: fields.email ?? `${username}@example.com`,
    username,
    password: fields.password ?? 'password-123',
  };
  const res = await t.http.post('/api/auth/register').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: (res.body as { data: { id: number } }).data.id, ...body };
}

export async function login(t: TestApp, username: string, password: string): Promise<Tokens> {
  const res = await t.http.post('/api/auth/login').send({ username, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { data: Tokens }).data;
}

/** A registered, signed-in user; `role: 'admin'` promotes it in the database first. */
export async function signUp(
  t: TestApp,
  options: { role?: 'admin' | 'customer' } = {},
): Promise<TestUser> {
  const user = await register(t);
  if (options.role === 'admin') {
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
  }
  const tokens = await login(t, user.username, user.password);
  return { ...user, tokens, bearer: `Bearer ${tokens.access_token}` };
}

/** Asserts the contract's error body and returns it. */
export function expectError(
  res: { status: number; body: unknown; headers: Record<string, string> },
  status: number,
): { message: string; errors: Record<string, string> | null } {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = res.body as Record<string, unknown>;
  expect(body).toMatchObject({
    code: status,
    path: expect.any(String),
    request_id: res.headers['x-request-id'],
  });
  expect(typeof body.message).toBe('string');
  expect(body.errors === null || typeof body.errors === 'object').toBe(true);
  expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
  expect(JSON.stringify(body)).not.toMatch(
    /at .+\.(js|ts):\d+|QueryFailedError|SELECT |node_modules/,
  );
  return body as { message: string; errors: Record<string, string> | null };
}

export interface ProductInput {
  name?: string;
  description?: string | null;
  price?: number;
  stock?: number;
  category?: string | null;
  sku?: string | null;
  brand?: string | null;
  original_price?: number | null;
  image_url?: string | null;
  is_featured?: boolean;
}

export interface Product {
  id: number;
  name: string;
  description: string | null;
  price: number;
  stock: number;
  category: string | null;
  sku: string | null;
  brand: string | null;
  original_price: number | null;
  image_url: string | null;
  is_featured: boolean;
  rating: number | null;
  review_count: number;
  views: number;
  is_active: boolean;
  sales: number;
  created_at: string;
  updated_at: string;
}

export async function createProduct(
  t: TestApp,
  admin: TestUser,
  input: ProductInput = {},
): Promise<Product> {
  const res = await t.http
    .post('/api/products')
    .set('Authorization', admin.bearer)
    .send({ name: unique('product '), price: 10, stock: 100, ...input });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { data: Product }).data;
}

export interface OrderItem {
  product_id: number;
  product_name: string;
  quantity: number;
  unit_price: number;
  subtotal: number;
}

export interface Order {
  id: number;
  user_id: number;
  status: string;
  total_amount: number;
  items: OrderItem[];
  created_at: string;
  updated_at: string;
  expires_at: string;
  paid_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
}

export const placeOrder = (
  t: TestApp,
  user: TestUser,
  items: { product_id: number; quantity: number }[],
  key?: string,
) => {
  const req = t.http.post('/api/orders').set('Authorization', user.bearer);
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send({ items });
};

export async function createOrder(
  t: TestApp,
  user: TestUser,
  items: { product_id: number; quantity: number }[],
): Promise<Order> {
  const res = await placeOrder(t, user, items);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { data: Order }).data;
}

export async function stockOf(
  t: TestApp,
  productId: number,
): Promise<{ stock: number; sales: number }> {
  const { rows } = await t.db.query('SELECT stock, sales FROM products WHERE id = $1', [productId]);
  return rows[0] as { stock: number; sales: number };
}
