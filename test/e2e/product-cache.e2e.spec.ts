import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProductsRepository } from '../../src/modules/products/products.repository.js';
import { createProduct, expectError, signUp, unique, type TestUser } from '../support/factories.js';
import { startIsolatedApp, type TestApp } from '../support/test-app.js';

// A database of its own: the "next product id" below must not be taken by another test file.
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startIsolatedApp();
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const get = (path: string) => t.http.get(path);
const cacheOf = (res: { headers: Record<string, string> }) => res.headers['x-cache'];

describe('product cache', () => {
  it('answers a repeated detail read from the cache', async () => {
    const product = await createProduct(t, admin);
    const first = await get(`/api/products/${product.id}`);
    const second = await get(`/api/products/${product.id}`);
    expect([cacheOf(first), cacheOf(second)]).toEqual(['MISS', 'HIT']);
    expect(second.body.data).toEqual(first.body.data);
  });

  it('answers a repeated list read from the cache, whatever the parameter order', async () => {
    const category = unique('cat');
    await createProduct(t, admin, { category });
    const first = await get(`/api/products?category=${category}&page_size=5`);
    const second = await get(`/api/products?page_size=5&category=${category}`);
    expect([cacheOf(first), cacheOf(second)]).toEqual(['MISS', 'HIT']);
    expect(second.body.data).toEqual(first.body.data);
  });

  it('shows a PATCH on the very next detail and list read', async () => {
    const category = unique('cat');
    const product = await createProduct(t, admin, { category, price: 10 });
    await get(`/api/products/${product.id}`);
    await get(`/api/products?category=${category}`);
    await t.http
      .patch(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ price: 12.34 });
    const detail = await get(`/api/products/${product.id}`);
    const listed = await get(`/api/products?category=${category}`);
    expect(detail.body.data.price).toBe(12.34);
    expect(listed.body.data.items[0].price).toBe(12.34);
    expect(cacheOf(detail)).toBe('MISS');
  });

  it('shows a PUT on the very next read', async () => {
    const product = await createProduct(t, admin, { description: 'before' });
    await get(`/api/products/${product.id}`);
    await t.http
      .put(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ name: 'after', price: 1, stock: 1 });
    expect((await get(`/api/products/${product.id}`)).body.data).toMatchObject({
      name: 'after',
      description: null,
    });
  });

  it('shows a DELETE on the very next detail and list read', async () => {
    const category = unique('cat');
    const product = await createProduct(t, admin, { category });
    expect((await get(`/api/products/${product.id}`)).status).toBe(200);
    expect((await get(`/api/products?category=${category}`)).body.data.total).toBe(1);
    await t.http.delete(`/api/products/${product.id}`).set('Authorization', admin.bearer);
    expectError(await get(`/api/products/${product.id}`), 404);
    expect((await get(`/api/products?category=${category}`)).body.data.total).toBe(0);
  });

  it('shows a new product on the very next list read', async () => {
    const category = unique('cat');
    await createProduct(t, admin, { category });
    await get(`/api/products?category=${category}`);
    expect(cacheOf(await get(`/api/products?category=${category}`))).toBe('HIT');
    await createProduct(t, admin, { category });
    expect((await get(`/api/products?category=${category}`)).body.data.total).toBe(2);
  });

  it('caches a missing id as missing, and a product created under that id is visible at once', async () => {
    const { rows } = await t.db.query(`SELECT coalesce(max(id), 0) + 1 AS next FROM products`);
    const next = rows[0].next as number;
    const first = await get(`/api/products/${next}`);
    const second = await get(`/api/products/${next}`);
    expectError(first, 404);
    expectError(second, 404);
    expect([cacheOf(first), cacheOf(second)]).toEqual(['MISS', 'HIT']);
    const created = await createProduct(t, admin);
    expect(created.id).toBe(next);
    const after = await get(`/api/products/${next}`);
    expect(after.status).toBe(200);
    expect(after.body.data.id).toBe(next);
  });

  it('loads a product once for fifty concurrent misses', async () => {
    const product = await createProduct(t, admin);
    const loads = vi.spyOn(t.app.get(ProductsRepository), 'findActive');
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => get(`/api/products/${product.id}`)),
      );
      expect(results.every((res) => res.status === 200 && res.body.data.id === product.id)).toBe(
        true,
      );
      expect(loads).toHaveBeenCalledTimes(1);
      expect(results.filter((res) => cacheOf(res) === 'MISS')).toHaveLength(1);
    } finally {
      loads.mockRestore();
    }
  });

  it('loads a list page once for fifty concurrent misses', async () => {
    const category = unique('cat');
    await createProduct(t, admin, { category });
    const loads = vi.spyOn(t.app.get(ProductsRepository), 'list');
    try {
      await Promise.all(
        Array.from({ length: 50 }, () => get(`/api/products?category=${category}`)),
      );
      expect(loads).toHaveBeenCalledTimes(1);
    } finally {
      loads.mockRestore();
    }
  });

  it('never serves a value older than the last acknowledged write, even with reads racing the writes', async () => {
    const product = await createProduct(t, admin, { price: 1 });
    for (let round = 2; round <= 21; round++) {
      const readers = Array.from({ length: 10 }, () => get(`/api/products/${product.id}`));
      const write = await t.http
        .patch(`/api/products/${product.id}`)
        .set('Authorization', admin.bearer)
        .send({ price: round });
      expect(write.status).toBe(200);
      expect((await get(`/api/products/${product.id}`)).body.data.price).toBe(round);
      await Promise.all(readers);
      expect((await get(`/api/products/${product.id}`)).body.data.price).toBe(round);
    }
  });
});

describe('cache lifetime', () => {
  it('expires entries after CACHE_TTL seconds (with jitter)', async () => {
    const short = await startIsolatedApp({ CACHE_TTL: '1' });
    try {
      const boss = await signUp(short, { role: 'admin' });
      const product = await createProduct(short, boss);
      await short.http.get(`/api/products/${product.id}`);
      expect(cacheOf(await short.http.get(`/api/products/${product.id}`))).toBe('HIT');
      await new Promise((resolve) => setTimeout(resolve, 1300));
      expect(cacheOf(await short.http.get(`/api/products/${product.id}`))).toBe('MISS');
    } finally {
      await short.close();
    }
  });
});
