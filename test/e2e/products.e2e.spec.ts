import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductsCache } from '../../src/modules/products/products.cache.js';
import {
  createProduct,
  expectError,
  signUp,
  unique,
  type Product,
  type TestUser,
} from '../support/factories.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await startApp();
  [admin, customer] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
});
afterAll(() => t.close());

const list = async (
  query: string,
): Promise<{ items: Product[]; total: number; total_pages: number }> => {
  const res = await t.http.get(`/api/products?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};
const names = (items: Product[]): string[] => items.map((p) => p.name);

describe('POST /api/products (admin)', () => {
  it('creates a product with exact money', async () => {
    const res = await t.http
      .post('/api/products')
      .set('Authorization', admin.bearer)
      .send({ name: 'Cup', description: 'Porcelain', price: 0.1, stock: 3, category: 'kitchen' });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(Number),
      name: 'Cup',
      description: 'Porcelain',
      price: 0.1,
      stock: 3,
      category: 'kitchen',
      sku: null,
      brand: null,
      original_price: null,
      image_url: null,
      is_featured: false,
      rating: null,
      review_count: 0,
      views: 0,
      is_active: true,
      sales: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const { rows } = await t.db.query('SELECT price::text FROM products WHERE id = $1', [
      res.body.data.id,
    ]);
    expect(rows[0].price).toBe('0.10');
  });

  it('answers a customer with 403 and nobody with 401', async () => {
    expectError(
      await t.http
        .post('/api/products')
        .set('Authorization', customer.bearer)
        .send({ name: 'x', price: 1, stock: 1 }),
      403,
    );
    expectError(await t.http.post('/api/products').send({ name: 'x', price: 1, stock: 1 }), 401);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'n'.repeat(201) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ price: 0 }, 'price'],
    [{ price: -1 }, 'price'],
    [{ price: 1.234 }, 'price'],
    // JavaScript prints these in exponent form, with no decimal point to count digits after.
    [{ price: 1e-7 }, 'price'],
    [{ price: 5e-324 }, 'price'],
    [{ price: -1e-7 }, 'price'],
    [{ original_price: 1e-10 }, 'original_price'],
    [{ price: '12' }, 'price'],
    [{ price: null }, 'price'],
    [{ price: 1_000_000.01 }, 'price'],
    [{ stock: -1 }, 'stock'],
    [{ stock: 1.5 }, 'stock'],
    [{ stock: '5' }, 'stock'],
    [{ category: '' }, 'category'],
    [{ category: 'c'.repeat(101) }, 'category'],
    [{ description: 'd'.repeat(5001) }, 'description'],
  ])('rejects %j with 400 naming the field', async (override, field) => {
    const res = await t.http
      .post('/api/products')
      .set('Authorization', admin.bearer)
      .send({ name: 'ok', price: 1, stock: 1, ...override });
    expect(Object.keys(expectError(res, 400).errors ?? {})).toEqual([field]);
  });

  it.each(['sales', 'is_active', 'id', 'created_at'])('refuses %s in the body', async (field) => {
    const res = await t.http
      .post('/api/products')
      .set('Authorization', admin.bearer)
      .send({ name: 'ok', price: 1, stock: 1, [field]: 5 });
    expect(expectError(res, 400).errors).toHaveProperty(field);
  });

  it('requires name, price and stock', async () => {
    const res = await t.http.post('/api/products').set('Authorization', admin.bearer).send({});
    expect(Object.keys(expectError(res, 400).errors ?? {}).sort()).toEqual([
      'name',
      'price',
      'stock',
    ]);
  });
});

describe('GET /api/products/:id', () => {
  it('returns an active product to anyone', async () => {
    const product = await createProduct(t, admin);
    const res = await t.http.get(`/api/products/${product.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(product);
  });

  it('answers a missing product with 404 and a non-numeric id with 400', async () => {
    expectError(await t.http.get('/api/products/987654321'), 404);
    expect(expectError(await t.http.get('/api/products/abc'), 400).errors).toEqual({
      id: 'id must be a positive integer',
    });
    expectError(await t.http.get('/api/products/-1'), 400);
    expectError(await t.http.get('/api/products/1.5'), 400);
  });
});

describe('PUT /api/products/:id (admin)', () => {
  it('replaces every field; omitted optional fields become null', async () => {
    const product = await createProduct(t, admin, { description: 'old', category: 'old' });
    const res = await t.http
      .put(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ name: 'New', price: 2.5, stock: 7 });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: product.id,
      name: 'New',
      price: 2.5,
      stock: 7,
      description: null,
      category: null,
    });
  });

  it('needs the whole body', async () => {
    const product = await createProduct(t, admin);
    const res = await t.http
      .put(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ name: 'only name' });
    expect(Object.keys(expectError(res, 400).errors ?? {}).sort()).toEqual(['price', 'stock']);
  });

  it('answers a missing product with 404', async () => {
    expectError(
      await t.http
        .put('/api/products/987654321')
        .set('Authorization', admin.bearer)
        .send({ name: 'x', price: 1, stock: 1 }),
      404,
    );
  });
});

describe('PATCH /api/products/:id (admin)', () => {
  it('changes only the fields sent', async () => {
    const product = await createProduct(t, admin, { description: 'keep', category: 'keep' });
    const res = await t.http
      .patch(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ price: 19.99 });
    expect(res.body.data).toMatchObject({
      price: 19.99,
      name: product.name,
      description: 'keep',
      category: 'keep',
      stock: product.stock,
    });
    expect(new Date(res.body.data.updated_at).getTime()).toBeGreaterThan(
      new Date(product.updated_at).getTime(),
    );
  });

  it('clears description and category with null', async () => {
    const product = await createProduct(t, admin, { description: 'x', category: 'y' });
    const res = await t.http
      .patch(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer)
      .send({ description: null, category: null });
    expect(res.body.data).toMatchObject({ description: null, category: null });
  });

  it('validates what is sent and refuses sales and is_active', async () => {
    const product = await createProduct(t, admin);
    const patch = (body: object) =>
      t.http.patch(`/api/products/${product.id}`).set('Authorization', admin.bearer).send(body);
    expectError(await patch({ price: 0 }), 400);
    expectError(await patch({ price: 1e-7 }), 400);
    expectError(await patch({ original_price: 1e-8 }), 400);
    expectError(await patch({ sales: 100 }), 400);
    expectError(await patch({ is_active: true }), 400);
    expectError(await patch({ name: null }), 400);
  });

  it('answers a customer with 403', async () => {
    const product = await createProduct(t, admin);
    expectError(
      await t.http
        .patch(`/api/products/${product.id}`)
        .set('Authorization', customer.bearer)
        .send({ price: 1 }),
      403,
    );
  });
});

describe('DELETE /api/products/:id (admin)', () => {
  it('takes the product off sale but keeps the row', async () => {
    const category = unique('cat');
    const product = await createProduct(t, admin, { category });
    const res = await t.http
      .delete(`/api/products/${product.id}`)
      .set('Authorization', admin.bearer);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await t.http.get(`/api/products/${product.id}`), 404);
    expect((await list(`category=${category}`)).items).toEqual([]);
    const { rows } = await t.db.query('SELECT is_active FROM products WHERE id = $1', [product.id]);
    expect(rows[0].is_active).toBe(false);
  });

  it('answers a product already deleted with 404, and refuses to edit it', async () => {
    const product = await createProduct(t, admin);
    await t.http.delete(`/api/products/${product.id}`).set('Authorization', admin.bearer);
    expectError(
      await t.http.delete(`/api/products/${product.id}`).set('Authorization', admin.bearer),
      404,
    );
    expectError(
      await t.http
        .patch(`/api/products/${product.id}`)
        .set('Authorization', admin.bearer)
        .send({ price: 1 }),
      404,
    );
  });

  it('answers a customer with 403', async () => {
    const product = await createProduct(t, admin);
    expectError(
      await t.http.delete(`/api/products/${product.id}`).set('Authorization', customer.bearer),
      403,
    );
  });
});

describe('GET /api/products', () => {
  it('lists newest first by default, breaking created_at ties by id', async () => {
    const category = unique('cat');
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createProduct(t, admin, { category }));
    const same = await createProduct(t, admin, { category });
    await t.db.query(`UPDATE products SET created_at = '2030-01-01T00:00:00Z' WHERE id = ANY($1)`, [
      [made[2]!.id, same.id],
    ]);
    await t.app.get(ProductsCache).invalidate([same.id]);
    const { items } = await list(`category=${category}`);
    expect(items.map((p) => p.id)).toEqual([same.id, made[2]!.id, made[1]!.id, made[0]!.id]);
  });

  it('walks the pages without repeating or skipping, even when the sort key ties', async () => {
    const category = unique('cat');
    const made = await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        createProduct(t, admin, { category, price: [5, 5, 5, 7][i % 4]! }),
      ),
    );
    for (const [sort, order] of [
      ['price', 'asc'],
      ['price', 'desc'],
      ['name', 'asc'],
      ['sales', 'desc'],
      ['created_at', 'asc'],
    ]) {
      const seen: number[] = [];
      for (let page = 1; page <= 4; page++) {
        const data = await list(
          `category=${category}&sort=${sort}&order=${order}&page_size=3&page=${page}`,
        );
        expect(data.total).toBe(11);
        expect(data.total_pages).toBe(4);
        seen.push(...data.items.map((p) => p.id));
      }
      expect(seen.sort((a, b) => a - b)).toEqual(made.map((p) => p.id).sort((a, b) => a - b));
    }
  });

  it('sorts by price, name and sales in either direction', async () => {
    const category = unique('cat');
    await createProduct(t, admin, { category, name: 'b', price: 3 });
    await createProduct(t, admin, { category, name: 'c', price: 1 });
    await createProduct(t, admin, { category, name: 'a', price: 2 });
    expect(names((await list(`category=${category}&sort=price&order=asc`)).items)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(names((await list(`category=${category}&sort=price&order=desc`)).items)).toEqual([
      'b',
      'a',
      'c',
    ]);
    expect(names((await list(`category=${category}&sort=name&order=asc`)).items)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('filters by price range and category', async () => {
    const category = unique('cat');
    for (const price of [1, 5, 9.99, 10])
      await createProduct(t, admin, { category, name: `p${price}`, price });
    expect(
      names(
        (await list(`category=${category}&min_price=5&max_price=9.99&sort=price&order=asc`)).items,
      ),
    ).toEqual(['p5', 'p9.99']);
    expect((await list(`category=${category}&min_price=10.01`)).items).toEqual([]);
    expect((await list(`category=${category.toUpperCase()}`)).items).toEqual([]);
  });

  it('searches name and description case-insensitively', async () => {
    const tag = unique('zq');
    const category = unique('cat');
    await createProduct(t, admin, { category, name: `Blue ${tag} mug` });
    await createProduct(t, admin, {
      category,
      name: 'Plain',
      description: `made of ${tag.toUpperCase()} clay`,
    });
    await createProduct(t, admin, { category, name: 'Other' });
    expect(names((await list(`search=${tag.toUpperCase()}&sort=name&order=asc`)).items)).toEqual([
      `Blue ${tag} mug`,
      'Plain',
    ]);
  });

  it('treats %, _ and \\ in search text as literal characters', async () => {
    const tag = unique('lit');
    for (const name of [
      `${tag} 100% cotton`,
      `${tag} a_b`,
      `${tag} aXb`,
      `${tag} back\\slash`,
      `${tag} plain`,
    ]) {
      await createProduct(t, admin, { name });
    }
    const search = async (text: string) =>
      names((await list(`search=${encodeURIComponent(`${tag} ${text}`)}`)).items);
    expect(await search('100%')).toEqual([`${tag} 100% cotton`]);
    expect(await search('a_b')).toEqual([`${tag} a_b`]);
    expect(await search('back\\')).toEqual([`${tag} back\\slash`]);
    // As wildcards, "%" and "_" would match all five.
    expect((await list(`search=${encodeURIComponent(`${tag} %`)}`)).items).toEqual([]);
    expect((await list(`search=${encodeURIComponent(`${tag} _`)}`)).items).toEqual([]);
    expect((await list(`search=${tag}`)).items).toHaveLength(5);
  });

  it('never lists inactive products', async () => {
    const category = unique('cat');
    const [keep, drop] = [
      await createProduct(t, admin, { category }),
      await createProduct(t, admin, { category }),
    ];
    await t.http.delete(`/api/products/${drop.id}`).set('Authorization', admin.bearer);
    expect((await list(`category=${category}`)).items.map((p) => p.id)).toEqual([keep.id]);
  });

  it.each([
    'page=0',
    'page_size=101',
    'page_size=0',
    'sort=stock',
    'order=sideways',
    'min_price=abc',
    'min_price=-1',
    'min_price=5&max_price=1',
    `search=${'s'.repeat(101)}`,
    'search=a&search=b',
    'unknown=1',
    // Numbers are written plainly: Number() would read 100, 16, 1, 0 and 0 into these.
    'page=1e2',
    'page_size=0x10',
    'page_size=1.0',
    'page=',
    'max_price=',
    'max_price=1e3',
    'min_price=0x10',
    'min_price=Infinity',
  ])('answers ?%s with 400', async (query) => {
    expectError(await t.http.get(`/api/products?${query}`), 400);
  });

  it('reads plainly written numbers', async () => {
    const res = await t.http.get('/api/products?page=1&page_size=5&min_price=0.5&max_price=100');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ page: 1, page_size: 5 });
  });
});

describe('GET /api/products/hot', () => {
  it('ranks active products by sales, ties newest first, up to limit', async () => {
    // One after another, so that "newest" is well defined.
    const created: Product[] = [];
    for (let i = 0; i < 4; i++) created.push(await createProduct(t, admin));
    const [a, b, c, d] = created;
    const top = 10_000_000;
    await t.db.query(
      'UPDATE products SET sales = $1 + CASE id WHEN $2 THEN 1 WHEN $3 THEN 3 WHEN $4 THEN 3 ELSE 2 END WHERE id = ANY($5)',
      [top, a!.id, b!.id, c!.id, [a!.id, b!.id, c!.id, d!.id]],
    );
    await t.http.delete(`/api/products/${d!.id}`).set('Authorization', admin.bearer);
    await t.app.get(ProductsCache).invalidate([a!.id, b!.id, c!.id]);
    const res = await t.http.get('/api/products/hot?limit=3');
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: Product) => p.id)).toEqual([c!.id, b!.id, a!.id]);
  });

  it('defaults to 10 and bounds limit to 1..100', async () => {
    expect((await t.http.get('/api/products/hot')).body.data.length).toBeLessThanOrEqual(10);
    for (const limit of ['0', '101', 'x', '1e1', ''])
      expectError(await t.http.get(`/api/products/hot?limit=${limit}`), 400);
  });
});

describe('POST /api/products/batch', () => {
  it('returns the active ones found, in the order asked, each once', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => createProduct(t, admin)));
    await t.http.delete(`/api/products/${b!.id}`).set('Authorization', admin.bearer);
    const res = await t.http
      .post('/api/products/batch')
      .send({ ids: [c!.id, 987654321, b!.id, a!.id, c!.id] });
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: Product) => p.id)).toEqual([c!.id, a!.id]);
  });

  it.each([
    [{ ids: [] }],
    [{ ids: Array.from({ length: 101 }, (_, i) => i + 1) }],
    [{ ids: [1, 'two'] }],
    [{ ids: [0] }],
    [{ ids: [1.5] }],
    [{ ids: 'all' }],
    [{}],
  ])('answers %j with 400', async (body) => {
    expectError(await t.http.post('/api/products/batch').send(body), 400);
  });
});

describe('GET /api/products/stats (admin)', () => {
  it('counts products, active ones, their stock and all sales', async () => {
    const iso = await startIsolatedApp();
    try {
      const boss = await signUp(iso, { role: 'admin' });
      const [a, b] = [
        await createProduct(iso, boss, { stock: 5 }),
        await createProduct(iso, boss, { stock: 7 }),
      ];
      await createProduct(iso, boss, { stock: 11 });
      await iso.db.query('UPDATE products SET sales = 4 WHERE id = $1', [a.id]);
      await iso.db.query('UPDATE products SET sales = 6 WHERE id = $1', [b.id]);
      await iso.http.delete(`/api/products/${b.id}`).set('Authorization', boss.bearer);
      const res = await iso.http.get('/api/products/stats').set('Authorization', boss.bearer);
      expect(res.body.data).toEqual({ total: 3, active: 2, total_stock: 16, total_sales: 10 });
    } finally {
      await iso.close();
    }
  });

  it('is not an id, and answers a customer with 403', async () => {
    expectError(await t.http.get('/api/products/stats').set('Authorization', customer.bearer), 403);
    expectError(await t.http.get('/api/products/stats'), 401);
  });
});
