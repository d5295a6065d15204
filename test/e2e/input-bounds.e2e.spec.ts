import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, expectError, signUp, type TestUser } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

/**
 * CONTRACT §5 "Bad input": whatever its shape, no body of up to 1 MB keeps the server busy for
 * more than a few milliseconds; NUL characters and prototype keys are 400s naming the field.
 * The rate limits of testEnv are far above what this file sends, so every body reaches the app.
 */

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startApp();
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const ONE_MB = 1024 * 1024;

/** An object of short keys, as many as fit in `bytes` (some 128k in 1 MB). */
function manyKeys(bytes: number): string {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const part = `"${i.toString(36)}":0`;
    parts.push(part);
    size += part.length + 1;
  }
  return `{${parts.join(',')}}`;
}

const longArray = (wrap: (elements: string) => string, element = '0', count = 500_000): string =>
  wrap(new Array<string>(count).fill(element).join(','));

const COSTLY_BODIES: Record<string, string> = {
  'an object of ~128k keys': manyKeys(ONE_MB - 64),
  'the same keys one level down': `{"ids":[1],"email":${manyKeys(ONE_MB - 128)}}`,
  'a 500k-element array in a field': longArray((e) => `{"ids":[${e}]}`),
  'a 500k-element array as the body': longArray((e) => `[${e}]`),
  'an array of 300k empty objects': longArray((e) => `{"items":[${e}]}`, '{}', 300_000),
};

const PUBLIC_ROUTES = [
  '/api/products/batch',
  '/api/auth/register',
  '/api/auth/login',
  '/api/auth/forgot-password',
  '/api/auth/reset-password',
];

/** Polls /health/live back to back and records the longest wait between two answers. */
function pollLiveness(): { stop: () => Promise<{ longestGapMs: number; answers: number }> } {
  const state = { running: true };
  let longestGapMs = 0;
  let answers = 0;
  const loop = (async () => {
    let last = performance.now();
    while (state.running) {
      const res = await fetch(`${t.url}/health/live`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
      answers++;
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return { longestGapMs, answers };
    },
  };
}

describe('bodies that would be costly to parse or validate', () => {
  it('are all 400 in the error format before validation, while /health/live keeps answering within a second', async () => {
    for (const body of Object.values(COSTLY_BODIES)) {
      expect(Buffer.byteLength(body)).toBeGreaterThan(ONE_MB * 0.5);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(ONE_MB);
    }
    const poller = pollLiveness();
    const answers: { route: string; shape: string; status: number; message: string }[] = [];
    try {
      for (const route of PUBLIC_ROUTES) {
        for (const [shape, body] of Object.entries(COSTLY_BODIES)) {
          const res = await t.http.post(route).set('Content-Type', 'application/json').send(body);
          const error = expectError(res, 400);
          answers.push({ route, shape, status: res.status, message: error.message });
        }
      }
    } finally {
      const { longestGapMs, answers: polls } = await poller.stop();
      // The bug was a 6-9 s stall per body; the health client must never wait a second.
      expect(longestGapMs).toBeLessThan(1000);
      expect(polls).toBeGreaterThan(PUBLIC_ROUTES.length);
    }
    expect(answers).toHaveLength(PUBLIC_ROUTES.length * Object.keys(COSTLY_BODIES).length);
    for (const answer of answers) {
      expect(answer.message, `${answer.route}: ${answer.shape}`).toMatch(
        /^JSON body has more than (1000 object keys|1000 array elements)$/,
      );
    }
  }, 120_000);

  it('counts object keys across the whole body against BODY_MAX_KEYS', async () => {
    const strict = await startApp({ BODY_MAX_KEYS: '4' });
    try {
      const login = (body: unknown) => strict.http.post('/api/auth/login').send(body as object);
      // Four keys in all: validation runs (and answers for the field).
      const four = await login({ username: 'nobody', password: { a: 1, b: 2 } });
      expect(expectError(four, 400).errors).toHaveProperty('password');
      const five = await login({ username: 'nobody', password: { a: 1, b: [{ c: 2 }] }, x: 1 });
      expect(expectError(five, 400).message).toBe('JSON body has more than 4 object keys');
    } finally {
      await strict.close();
    }
  });

  it("refuses an array longer than the DTO's @ArrayMaxSize before validation runs", async () => {
    const ids = Array.from({ length: 101 }, () => 'not-an-id');
    const res = await t.http.post('/api/products/batch').send({ ids, unknown_field: true });
    // Validation would also have named the unknown field and the bad ids; it never ran.
    expect(expectError(res, 400).errors).toEqual({ ids: 'ids must contain 1 to 100 ids' });
    const ok = await t.http.post('/api/products/batch').send({ ids: [1, 2, 3] });
    expect(ok.status).toBe(200);
  });

  it('refuses more than 1000 array elements in all, whatever the route', async () => {
    const res = await t.http.post('/api/auth/login').send({
      username: 'a',
      password: 'b',
      extra: [new Array(600).fill(1), new Array(401).fill(1)],
    });
    expect(expectError(res, 400).message).toBe('JSON body has more than 1000 array elements');
  });

  it('refuses JSON in another charset than UTF-8 with 415', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(Buffer.from('{"username":"a","password":"b"}', 'utf16le'));
    expectError(res, 415);
  });
});

describe('NUL characters', () => {
  it('are a 400 naming the field in a query, before the database sees them', async () => {
    const res = await t.http.get('/api/products?search=%00');
    expect(expectError(res, 400).errors).toEqual({
      search: 'search must not contain a NUL character',
    });
    const category = await t.http.get('/api/products?category=a%00b&page=1');
    expect(expectError(category, 400).errors).toHaveProperty('category');
  });

  it('are a 400 naming the field in a body, nested ones included', async () => {
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: 'admin\u0000', password: 'whatever-password' });
    expect(expectError(login, 400).errors).toEqual({
      username: 'username must not contain a NUL character',
    });
    const product = await t.http
      .post('/api/products')
      .set('Authorization', admin.bearer)
      .send({ name: 'cup', price: 1, stock: 1, description: 'a\u0000b' });
    expect(expectError(product, 400).errors).toEqual({
      description: 'description must not contain a NUL character',
    });
    const order = await t.http
      .post('/api/orders')
      .set('Authorization', admin.bearer)
      .send({ items: [{ product_id: 1, quantity: 1, note: '\u0000' }] });
    expect(expectError(order, 400).errors).toHaveProperty(['items.0.note']);
  });

  it('are a 400 naming the parameter in a path', async () => {
    const res = await t.http.get('/api/reports/sales/%00').set('Authorization', admin.bearer);
    expect(expectError(res, 400).errors).toEqual({
      job_id: 'job_id must not contain a NUL character',
    });
    expectError(await t.http.get('/api/products/%00'), 400);
  });
});

describe('prototype keys', () => {
  it.each(['__proto__', 'constructor'])(
    'are unknown fields: %s in a body is a 400 naming it, at any depth',
    async (key) => {
      const product = await createProduct(t, admin);
      const top = await t.http
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send(`{"username":"a","password":"b","${key}":{"role":"admin"}}`);
      expect(expectError(top, 400).errors).toEqual({ [key]: `${key} is not an accepted field` });
      const nested = await t.http
        .post('/api/orders')
        .set('Authorization', admin.bearer)
        .set('Content-Type', 'application/json')
        .send(`{"items":[{"product_id":${product.id},"quantity":1,"${key}":{"x":1}}]}`);
      expect(expectError(nested, 400).errors).toEqual({
        [`items.0.${key}`]: `items.0.${key} is not an accepted field`,
      });
    },
  );

  it('are unknown fields in a query too', async () => {
    const res = await t.http.get('/api/products?__proto__=1');
    expect(expectError(res, 400).errors).toEqual({
      ['__proto__']: '__proto__ is not an accepted field',
    });
  });
});
