import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  expectError,
  signUp,
  unique,
  type Product,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** CONTRACT §8: the catalog's new fields, their rules, and what the cache shows after a write. */

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startApp();
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const post = (body: Record<string, unknown>) =>
  t.http
    .post('/api/products')
    .set('Authorization', admin.bearer)
    .send({ name: 'ok', price: 10, stock: 1, ...body });
const patch = (id: number, body: Record<string, unknown>) =>
  t.http.patch(`/api/products/${id}`).set('Authorization', admin.bearer).send(body);
const put = (id: number, body: Record<string, unknown>) =>
  t.http
    .put(`/api/products/${id}`)
    .set('Authorization', admin.bearer)
    .send({ name: 'ok', price: 10, stock: 1, ...body });
const ids = (items: Product[]) => items.map((p) => p.id);
const fieldsOf = (res: { status: number; body: unknown; headers: Record<string, string> }) =>
  Object.keys(expectError(res, 400).errors ?? {});

describe('the new product fields', () => {
  it('are stored and answered as given, exact money included', async () => {
    const sku = unique('SKU-');
    const res = await post({
      sku,
      brand: 'Acme',
      price: 0.3,
      original_price: 0.5,
      image_url: 'https://cdn.example.com/cup.jpg',
      is_featured: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toMatchObject({
      sku,
      brand: 'Acme',
      price: 0.3,
      original_price: 0.5,
      image_url: 'https://cdn.example.com/cup.jpg',
      is_featured: true,
      rating: null,
      review_count: 0,
      views: 0,
    });
    const { rows } = await t.db.query('SELECT original_price::text FROM products WHERE id = $1', [
      res.body.data.id,
    ]);
    expect(rows[0].original_price).toBe('0.50');
  });

  it.each([
    [{ sku: '' }, 'sku'],
    [{ sku: 's'.repeat(65) }, 'sku'],
    [{ sku: 'has space' }, 'sku'],
    [{ sku: '-leading' }, 'sku'],
    [{ sku: 42 }, 'sku'],
    [{ brand: '' }, 'brand'],
    [{ brand: '   ' }, 'brand'],
    [{ brand: 'b'.repeat(101) }, 'brand'],
    [{ brand: ['a'] }, 'brand'],
    [{ original_price: 0 }, 'original_price'],
    [{ original_price: -5 }, 'original_price'],
    [{ original_price: 12.345 }, 'original_price'],
    [{ original_price: '12' }, 'original_price'],
    [{ original_price: 1_000_000.01 }, 'original_price'],
    [{ original_price: 9.99 }, 'original_price'],
    [{ image_url: 'http://cdn.example.com/a.jpg' }, 'image_url'],
    [{ image_url: 'javascript:alert(1)' }, 'image_url'],
    [{ image_url: 'https://user:pw@cdn.example.com/a.jpg' }, 'image_url'],
    [{ image_url: '//cdn.example.com/a.jpg' }, 'image_url'],
    [{ image_url: 'not a url' }, 'image_url'],

    [{ is_featured: 'yes' }, 'is_featured'],
    [{ is_featured: 1 }, 'is_featured'],
    [{ is_featured: null }, 'is_featured'],
  ])('refuses %j on POST with 400 naming %s', async (override, field) => {
    expect(fieldsOf(await post(override))).toEqual([field]);
  });

  it.each(['rating', 'review_count', 'views', 'rating_sum', 'rating_hundredths'])(
    'never lets a client write %s: an unknown field on POST, PUT and PATCH',
    async (field) => {
      const product = await createProduct(t, admin);
      for (const res of [
        await post({ [field]: 5 }),
        await put(product.id, { [field]: 5 }),
        await patch(product.id, { [field]: 5 }),
      ]) {
        expect(expectError(res, 400).errors).toEqual({
          [field]: `${field} is not an accepted field`,
        });
      }
      const after = await t.http.get(`/api/products/${product.id}`);
      expect(after.body.data).toMatchObject({ rating: null, review_count: 0, views: 0 });
    },
  );

  it('counts characters as the database does: variation selectors make a text longer', async () => {
    const post = (body: object) =>
      t.http
        .post('/api/products')
        .set('Authorization', admin.bearer)
        .send({ name: unique('Vs '), price: 1, stock: 1, ...body });
    const selected = (n: number): string => 'a\uFE0F'.repeat(n);
    const tooLong = expectError(await post({ description: selected(2501) }), 400);
    expect(Object.keys(tooLong.errors ?? {})).toEqual(['description']);
    expect(Object.keys(expectError(await post({ name: selected(101) }), 400).errors ?? {})).toEqual(
      ['name'],
    );
    expect((await post({ description: selected(2500) })).status).toBe(201);
  });

  it('keeps an image URL of 2048 characters and refuses one longer', async () => {
    const base = 'https://cdn.example.com/';
    const longest = `${base}${'a'.repeat(2048 - base.length)}`;
    expect((await post({ image_url: longest })).status).toBe(201);
    expect(fieldsOf(await post({ image_url: `${longest}a` }))).toEqual(['image_url']);
  });

  it('answers a duplicate sku with 409 naming sku, whatever its case, on POST, PUT and PATCH', async () => {
    const sku = unique('Dup-');
    const first = await createProduct(t, admin, { sku });
    const other = await createProduct(t, admin, { sku: unique('Other-') });
    for (const res of [
      await post({ sku }),
      await post({ sku: sku.toUpperCase() }),
      await put(other.id, { sku: sku.toLowerCase() }),
      await patch(other.id, { sku }),
    ]) {
      expect(expectError(res, 409).errors).toEqual({
        sku: 'sku is already used by another product',
      });
    }
    // Its own sku again is no conflict; products without one never conflict.
    expect((await patch(first.id, { sku })).status).toBe(200);
    expect((await post({ sku: null })).status).toBe(201);
    expect((await post({})).status).toBe(201);
    // A deleted product's sku may go to the product that replaces it.
    await t.http.delete(`/api/products/${first.id}`).set('Authorization', admin.bearer);
    expect((await post({ sku })).status).toBe(201);
  });

  it('gives exactly one of two concurrent creations with one sku a 201 and the other 409', async () => {
    const sku = unique('Race-');
    const results = await Promise.all([post({ sku }), post({ sku })]);
    expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
  });

  it('holds original_price >= price on POST and PUT from the body alone', async () => {
    expect((await post({ price: 10, original_price: 10 })).status).toBe(201);
    const product = await createProduct(t, admin, { price: 10, original_price: 12 });
    expect(
      expectError(await put(product.id, { price: 13, original_price: 12 }), 400).errors,
    ).toEqual({
      original_price: 'original_price must not be less than price (13.00)',
    });
    // PUT without original_price clears it, whatever the new price.
    const replaced = await put(product.id, { price: 50 });
    expect(replaced.body.data).toMatchObject({ price: 50, original_price: null });
  });

  it('holds original_price >= price on PATCH against the stored price and the stored list price', async () => {
    const product = await createProduct(t, admin, { price: 10, original_price: 15 });
    expect(expectError(await patch(product.id, { original_price: 9.99 }), 400).errors).toEqual({
      original_price: 'original_price must not be less than price (10.00)',
    });
    expect(expectError(await patch(product.id, { price: 15.01 }), 400).errors).toEqual({
      price: 'price must not be greater than original_price (15.00)',
    });
    expect(fieldsOf(await patch(product.id, { price: 20, original_price: 19 }))).toEqual([
      'original_price',
    ]);
    expect((await patch(product.id, { price: 15 })).body.data).toMatchObject({
      price: 15,
      original_price: 15,
    });
    expect((await patch(product.id, { original_price: null, price: 99 })).body.data).toMatchObject({
      price: 99,
      original_price: null,
    });
    expect((await patch(product.id, { price: 120 })).status).toBe(200);
    const { rows } = await t.db.query(
      'SELECT price::text, original_price FROM products WHERE id = $1',
      [product.id],
    );
    expect(rows[0]).toEqual({ price: '120.00', original_price: null });
  });

  it('never lets two concurrent PATCHes of price and list price pass each other', async () => {
    for (let round = 0; round < 5; round++) {
      const product = await createProduct(t, admin, { price: 10, original_price: 20 });
      // Each alone is fine; together they would leave the list price below the price.
      const results = await Promise.all([
        patch(product.id, { price: 18 }),
        patch(product.id, { original_price: 12 }),
      ]);
      expect(results.map((res) => res.status).sort()).toEqual([200, 400]);
      const { rows } = await t.db.query(
        'SELECT price::float AS price, original_price::float AS original FROM products WHERE id = $1',
        [product.id],
      );
      expect(rows[0].original).toBeGreaterThanOrEqual(rows[0].price);
    }
  });

  it('clears the optional fields with null on PATCH, and is_featured only takes booleans', async () => {
    const product = await createProduct(t, admin, {
      sku: unique('Clr-'),
      brand: 'Acme',
      image_url: 'https://cdn.example.com/x.png',
      is_featured: true,
    });
    const res = await patch(product.id, { sku: null, brand: null, image_url: null });
    expect(res.body.data).toMatchObject({
      sku: null,
      brand: null,
      image_url: null,
      is_featured: true,
    });
    expect(fieldsOf(await patch(product.id, { is_featured: null }))).toEqual(['is_featured']);
    expect((await patch(product.id, { is_featured: false })).body.data.is_featured).toBe(false);
  });
});

describe('filters, sorts and hot products', () => {
  const list = async (query: string): Promise<{ items: Product[]; total: number }> => {
    const res = await t.http.get(`/api/products?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };

  it('filters by exact brand and by is_featured=true|false', async () => {
    const category = unique('cat');
    const brand = unique('Brand');
    const a = await createProduct(t, admin, { category, brand, is_featured: true });
    const b = await createProduct(t, admin, { category, brand });
    const c = await createProduct(t, admin, { category, brand: unique('Other') });
    expect(ids((await list(`category=${category}&brand=${brand}`)).items)).toEqual([b.id, a.id]);
    expect(ids((await list(`category=${category}&brand=${brand.toLowerCase()}`)).items)).toEqual(
      [],
    );
    expect(ids((await list(`category=${category}&is_featured=true`)).items)).toEqual([a.id]);
    expect(ids((await list(`category=${category}&is_featured=false`)).items)).toEqual([c.id, b.id]);
    expect(ids((await list(`brand=${brand}&is_featured=false`)).items)).toEqual([b.id]);
  });

  it.each([
    ['is_featured=yes', 'is_featured'],
    ['is_featured=1', 'is_featured'],
    ['is_featured=true&is_featured=false', 'is_featured'],
    [`brand=${'b'.repeat(101)}`, 'brand'],
    ['sort=stars', 'sort'],
  ])('refuses ?%s with 400 naming the field', async (query, field) => {
    expect(fieldsOf(await t.http.get(`/api/products?${query}`))).toEqual([field]);
  });

  /** Every page of a listing, walked to the end. */
  const walk = async (query: string, pageSize: number): Promise<Product[]> => {
    const seen: Product[] = [];
    for (let page = 1; ; page++) {
      const data = await list(`${query}&page_size=${pageSize}&page=${page}`);
      seen.push(...data.items);
      if (data.items.length < pageSize) {
        expect(seen).toHaveLength(data.total);
        return seen;
      }
    }
  };

  it('sorts by rating and views in either direction, ties by id, unrated last, across pages without repeat or gap', async () => {
    const category = unique('cat');
    // Ratings (hundredths) and views with ties; null is unrated.
    const shape: [number | null, number][] = [
      [450, 7],
      [450, 7],
      [null, 0],
      [300, 7],
      [450, 2],
      [null, 9],
      [500, 0],
      [300, 2],
      [null, 0],
      [100, 9],
      [450, 7],
    ];
    const made: Product[] = [];
    for (const [rating, views] of shape) {
      const product = await createProduct(t, admin, { category });
      await t.db.query(
        `UPDATE products SET views = $2, rating_hundredths = $3, review_count = $4, rating_sum = $5
          WHERE id = $1`,
        [
          product.id,
          views,
          rating,
          rating === null ? 0 : 2,
          rating === null ? 0 : Math.round((rating * 2) / 100),
        ],
      );
      made.push(product);
    }
    // Written behind the cache's back: a fresh category has nothing cached yet.
    const byId = new Map(made.map((p, i) => [p.id, shape[i]!]));
    const expected = (key: 0 | 1, dir: 1 | -1): number[] =>
      [...byId.keys()].sort((a, b) => {
        const [x, y] = [byId.get(a)![key], byId.get(b)![key]];
        if (x === null || y === null) return x === y ? dir * (a - b) : x === null ? 1 : -1;
        return x === y ? dir * (a - b) : dir * (x - y);
      });
    for (const [sort, key] of [
      ['rating', 0],
      ['views', 1],
    ] as const) {
      for (const [order, dir] of [
        ['asc', 1],
        ['desc', -1],
      ] as const) {
        for (const pageSize of [1, 3, 4]) {
          const walked = ids(
            await walk(`category=${category}&sort=${sort}&order=${order}`, pageSize),
          );
          expect(walked, `${sort} ${order} by ${pageSize}`).toEqual(expected(key, dir));
          expect(new Set(walked).size).toBe(shape.length);
        }
      }
    }
    const top = (await list(`category=${category}&sort=rating&order=desc&page_size=1`)).items[0];
    expect(top?.rating).toBe(5);
  });

  it('ranks hot products of one category by sales, ties newest first', async () => {
    const category = unique('cat');
    const [a, b, c] = [
      await createProduct(t, admin, { category }),
      await createProduct(t, admin, { category }),
      await createProduct(t, admin, { category }),
    ];
    const outside = await createProduct(t, admin, { category: unique('cat') });
    for (const [product, sales] of [
      [a, 5],
      [b, 9],
      [c, 5],
      [outside, 100],
    ] as const) {
      await t.db.query('UPDATE products SET sales = $2 WHERE id = $1', [product.id, sales]);
    }
    const res = await t.http.get(`/api/products/hot?category=${category}&limit=10`);
    expect(res.status).toBe(200);
    expect(ids(res.body.data)).toEqual([b.id, c.id, a.id]);
    expect(
      ids((await t.http.get(`/api/products/hot?category=${category}&limit=2`)).body.data),
    ).toEqual([b.id, c.id]);
    expect((await t.http.get(`/api/products/hot?category=${unique('none')}`)).body.data).toEqual(
      [],
    );
    expect(fieldsOf(await t.http.get(`/api/products/hot?category=${'c'.repeat(101)}`))).toEqual([
      'category',
    ]);
  });
});

describe('the cache after each new write', () => {
  const cacheOf = (res: { headers: Record<string, string> }) => res.headers['x-cache'];

  const changes: [string, () => string | number | boolean][] = [
    ['sku', () => unique('New-')],
    ['brand', () => unique('Brand')],
    ['original_price', () => 77.7],
    ['image_url', () => `https://cdn.example.com/${unique()}.webp`],
    ['is_featured', () => true],
  ];
  it.each(changes)(
    'shows a PATCH of %s on the very next detail and list read',
    async (field, value) => {
      const category = unique('cat');
      const product = await createProduct(t, admin, { category });
      const detail = `/api/products/${product.id}`;
      const listed = `/api/products?category=${category}`;
      await t.http.get(detail);
      await t.http.get(listed);
      expect(cacheOf(await t.http.get(detail))).toBe('HIT');
      expect(cacheOf(await t.http.get(listed))).toBe('HIT');
      const next = value();
      expect((await patch(product.id, { [field]: next })).status).toBe(200);
      expect((await t.http.get(detail)).body.data[field]).toBe(next);
      expect((await t.http.get(listed)).body.data.items[0][field]).toBe(next);
    },
  );

  it('shows a new featured product and brand on the very next filtered list and hot read', async () => {
    const category = unique('cat');
    const brand = unique('Brand');
    const path = `/api/products?brand=${brand}&is_featured=true`;
    const hot = `/api/products/hot?category=${category}`;
    expect((await t.http.get(path)).body.data.total).toBe(0);
    expect((await t.http.get(hot)).body.data).toEqual([]);
    expect(cacheOf(await t.http.get(path))).toBe('HIT');
    const product = await createProduct(t, admin, { category, brand, is_featured: true });
    expect(ids((await t.http.get(path)).body.data.items)).toEqual([product.id]);
    expect(ids((await t.http.get(hot)).body.data)).toEqual([product.id]);
  });
});
