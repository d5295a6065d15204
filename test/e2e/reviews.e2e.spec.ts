import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivedProduct, review } from '../support/catalog.js';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  type TestUser,
} from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** CONTRACT §8: reviews, and the product's rating and review_count kept with them. */

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startApp();
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const productOf = async (id: number) => (await t.http.get(`/api/products/${id}`)).body.data;
const remove = (user: TestUser, id: number) =>
  t.http.delete(`/api/reviews/${id}`).set('Authorization', user.bearer);

describe('POST /api/products/:id/reviews', () => {
  it('lets a customer with a completed order review the product once, and counts it in rating and review_count', async () => {
    const alice = await signUp(t);
    const product = await receivedProduct(t, admin, [alice]);
    const before = await productOf(product.id);
    const res = await review(t, alice, product.id, { rating: 4, title: 'Good', body: 'Sturdy.' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(Number),
      product_id: product.id,
      user_id: alice.id,
      username: alice.username,
      rating: 4,
      title: 'Good',
      body: 'Sturdy.',
      created_at: expect.any(String),
    });
    expect(before).toMatchObject({ rating: null, review_count: 0 });
    expect(await productOf(product.id)).toMatchObject({ rating: 4, review_count: 1 });

    const again = await review(t, alice, product.id, { rating: 1 });
    expect(expectError(again, 409).message).toMatch(/already reviewed/);
    expect(await productOf(product.id)).toMatchObject({ rating: 4, review_count: 1 });
  });

  it('refuses with 403 anyone without a completed order of the product, admins included', async () => {
    const [pending, paid, shipped, other, stranger] = await Promise.all(
      Array.from({ length: 5 }, () => signUp(t)),
    );
    const product = await createProduct(t, admin, { stock: 100 });
    await createOrder(t, pending!, [{ product_id: product.id, quantity: 1 }]);
    const paidOrder = await createOrder(t, paid!, [{ product_id: product.id, quantity: 1 }]);
    await t.http.post(`/api/orders/${paidOrder.id}/pay`).set('Authorization', paid!.bearer);
    const shippedOrder = await createOrder(t, shipped!, [{ product_id: product.id, quantity: 1 }]);
    await t.http.post(`/api/orders/${shippedOrder.id}/pay`).set('Authorization', shipped!.bearer);
    await t.http.put(`/api/orders/${shippedOrder.id}/ship`).set('Authorization', admin.bearer);
    // A completed order of another product does not count.
    await receivedProduct(t, admin, [other!]);
    for (const user of [pending!, paid!, shipped!, other!, stranger!, admin]) {
      expectError(await review(t, user, product.id, { rating: 5 }), 403);
    }
    expect(await productOf(product.id)).toMatchObject({ rating: null, review_count: 0 });
    const { rows } = await t.db.query(
      'SELECT count(*)::int AS n FROM reviews WHERE product_id = $1',
      [product.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('answers 401 without a token, 404 for a missing or deleted product, 400 for a bad id', async () => {
    const bob = await signUp(t);
    const product = await receivedProduct(t, admin, [bob]);
    expectError(await t.http.post(`/api/products/${product.id}/reviews`).send({ rating: 5 }), 401);
    expectError(await review(t, bob, 987_654_321, { rating: 5 }), 404);
    expectError(await review(t, bob, 0, { rating: 5 }), 400);
    await t.http.delete(`/api/products/${product.id}`).set('Authorization', admin.bearer);
    expectError(await review(t, bob, product.id, { rating: 5 }), 404);
  });

  it.each([
    [{}, 'rating'],
    [{ rating: 0 }, 'rating'],
    [{ rating: 6 }, 'rating'],
    [{ rating: 4.5 }, 'rating'],
    [{ rating: '5' }, 'rating'],
    [{ rating: null }, 'rating'],
    [{ rating: 5, title: '' }, 'title'],
    [{ rating: 5, title: 't'.repeat(201) }, 'title'],
    [{ rating: 5, title: 7 }, 'title'],
    [{ rating: 5, body: 'b'.repeat(5001) }, 'body'],
    [{ rating: 5, body: ['x'] }, 'body'],
    [{ rating: 5, user_id: 1 }, 'user_id'],
    [{ rating: 5, product_id: 1 }, 'product_id'],
    [{ rating: 5, username: 'x' }, 'username'],
  ])('refuses %j with 400 naming the field, and writes nothing', async (body, field) => {
    const carol = await signUp(t);
    const product = await receivedProduct(t, admin, [carol]);
    const res = await review(t, carol, product.id, body);
    expect(Object.keys(expectError(res, 400).errors ?? {})).toEqual([field]);
    expect(await productOf(product.id)).toMatchObject({ rating: null, review_count: 0 });
  });

  it('tells a mistyped title or body its type, not a length it cannot meet', async () => {
    const erin = await signUp(t);
    const product = await receivedProduct(t, admin, [erin]);
    const title = await review(t, erin, product.id, { rating: 5, title: 7 });
    expect(expectError(title, 400).errors).toEqual({ title: 'title must be a string' });
    const body = await review(t, erin, product.id, { rating: 5, body: ['x'] });
    expect(expectError(body, 400).errors).toEqual({ body: 'body must be a string' });
  });

  it('keeps plain text exactly as written, never escaped or interpreted', async () => {
    const dave = await signUp(t);
    const product = await receivedProduct(t, admin, [dave]);
    const title = `<script>alert("x")</script> & "quotes" 'single' &amp; ${'ü'.repeat(3)}😀`;
    const body = `Line one\nLine two\t<b>bold?</b> {{template}} \${expr} %s\r\n${'é'.repeat(4940)}`;
    expect(Array.from(body).length).toBeLessThanOrEqual(5000);
    const res = await review(t, dave, product.id, { rating: 3, title, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toMatchObject({ title, body });
    const listed = await t.http.get(`/api/products/${product.id}/reviews`);
    expect(listed.body.data.items[0]).toMatchObject({ title, body });
    // 200 characters of four bytes each are 200 characters.
    const emoji = await signUp(t);
    await receivedProduct(t, admin, [emoji], product);
    expect(
      (await review(t, emoji, product.id, { rating: 1, title: '😀'.repeat(200) })).status,
    ).toBe(201);
  });

  it('keeps the mean exact when twenty customers review one product at once', async () => {
    const customers = await Promise.all(Array.from({ length: 20 }, () => signUp(t)));
    const product = await receivedProduct(t, admin, customers);
    const ratings = customers.map((_, i) => [5, 4, 4, 3, 1][i % 5]!);
    const results = await Promise.all(
      customers.map((customer, i) => review(t, customer, product.id, { rating: ratings[i] })),
    );
    expect(results.map((res) => res.status)).toEqual(Array(20).fill(201));
    // 20 reviews summing to 68: a mean of 3.4.
    expect(ratings.reduce((a, b) => a + b, 0)).toBe(68);
    expect(await productOf(product.id)).toMatchObject({ rating: 3.4, review_count: 20 });
    const { rows } = await t.db.query(
      'SELECT rating_sum, review_count, rating_hundredths FROM products WHERE id = $1',
      [product.id],
    );
    expect(rows[0]).toEqual({ rating_sum: 68, review_count: 20, rating_hundredths: 340 });
  });

  it('rounds the mean half up to two decimals', async () => {
    const customers = await Promise.all(Array.from({ length: 3 }, () => signUp(t)));
    const product = await receivedProduct(t, admin, customers);
    for (const [customer, rating] of customers.map((c, i) => [c, [5, 4, 4][i]!] as const)) {
      await review(t, customer, product.id, { rating });
    }
    expect((await productOf(product.id)).rating).toBe(4.33);
  });
});

describe('GET /api/products/:id/reviews', () => {
  it('is a public page, newest first, with each author’s username', async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, () => signUp(t)));
    const product = await receivedProduct(t, admin, customers);
    const made: number[] = [];
    for (const [i, customer] of customers.entries()) {
      made.push((await review(t, customer, product.id, { rating: 1 + i })).body.data.id);
    }
    const first = await t.http.get(`/api/products/${product.id}/reviews?page_size=2`);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ total: 5, page: 1, page_size: 2, total_pages: 3 });
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await t.http.get(`/api/products/${product.id}/reviews?page_size=2&page=${page}`);
      seen.push(...res.body.data.items.map((r: { id: number }) => r.id));
    }
    expect(seen).toEqual([...made].reverse());
    expect(first.body.data.items[0].username).toBe(customers[4]!.username);
  });

  it('answers 404 for a missing or deleted product and 400 for bad paging', async () => {
    const product = await createProduct(t, admin);
    expect((await t.http.get(`/api/products/${product.id}/reviews`)).body.data.items).toEqual([]);
    expectError(await t.http.get('/api/products/987654321/reviews'), 404);
    expectError(await t.http.get(`/api/products/${product.id}/reviews?page_size=101`), 400);
    expectError(await t.http.get('/api/products/abc/reviews'), 400);
    await t.http.delete(`/api/products/${product.id}`).set('Authorization', admin.bearer);
    expectError(await t.http.get(`/api/products/${product.id}/reviews`), 404);
  });
});

describe('DELETE /api/reviews/:id', () => {
  it('lets the author and an admin delete (204), refuses anyone else (403), and keeps the rating exact', async () => {
    const [author, second, other] = await Promise.all([signUp(t), signUp(t), signUp(t)]);
    const product = await receivedProduct(t, admin, [author, second, other]);
    const mine = (await review(t, author, product.id, { rating: 5 })).body.data.id;
    const theirs = (await review(t, second, product.id, { rating: 2 })).body.data.id;
    const third = (await review(t, other, product.id, { rating: 4 })).body.data.id;
    expect(await productOf(product.id)).toMatchObject({ rating: 3.67, review_count: 3 });

    expectError(await remove(other, mine), 403);
    expectError(await t.http.delete(`/api/reviews/${mine}`), 401);
    const byAuthor = await remove(author, mine);
    expect([byAuthor.status, byAuthor.text]).toEqual([204, '']);
    expect(await productOf(product.id)).toMatchObject({ rating: 3, review_count: 2 });
    expectError(await remove(author, mine), 404);

    expect((await remove(admin, theirs)).status).toBe(204);
    expect(await productOf(product.id)).toMatchObject({ rating: 4, review_count: 1 });
    expect((await remove(other, third)).status).toBe(204);
    expect(await productOf(product.id)).toMatchObject({ rating: null, review_count: 0 });
    expectError(await remove(admin, 987_654_321), 404);
    expectError(await remove(admin, 0), 400);

    // The author may review again once the first review is gone.
    expect((await review(t, author, product.id, { rating: 1 })).status).toBe(201);
    expect(await productOf(product.id)).toMatchObject({ rating: 1, review_count: 1 });
  });

  it('counts a review deleted by two requests at once only once', async () => {
    const [author, keeper] = await Promise.all([signUp(t), signUp(t)]);
    const product = await receivedProduct(t, admin, [author, keeper]);
    await review(t, keeper, product.id, { rating: 2 });
    const id = (await review(t, author, product.id, { rating: 5 })).body.data.id;
    const results = await Promise.all([remove(author, id), remove(admin, id)]);
    expect(results.map((res) => res.status).sort()).toEqual([204, 404]);
    expect(await productOf(product.id)).toMatchObject({ rating: 2, review_count: 1 });
  });
});

describe('the cache and reviews', () => {
  it('shows each review change on the very next cached detail and list read', async () => {
    const [a, b] = await Promise.all([signUp(t), signUp(t)]);
    const category = `rv${Date.now()}`;
    const product = await receivedProduct(
      t,
      admin,
      [a, b],
      await createProduct(t, admin, { category, stock: 10 }),
    );
    const detail = `/api/products/${product.id}`;
    const listed = `/api/products?category=${category}&sort=rating`;
    await t.http.get(detail);
    await t.http.get(listed);
    expect((await t.http.get(detail)).headers['x-cache']).toBe('HIT');
    const id = (await review(t, a, product.id, { rating: 5 })).body.data.id;
    expect((await t.http.get(detail)).body.data).toMatchObject({ rating: 5, review_count: 1 });
    expect((await t.http.get(listed)).body.data.items[0]).toMatchObject({ rating: 5 });
    await review(t, b, product.id, { rating: 2 });
    expect((await t.http.get(detail)).body.data.rating).toBe(3.5);
    await remove(a, id);
    expect((await t.http.get(listed)).body.data.items[0]).toMatchObject({
      rating: 2,
      review_count: 1,
    });
  });
});
