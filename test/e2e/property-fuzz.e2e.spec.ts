import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseId } from '../../src/common/validation/id.js';
import { REDIS_URL } from '../support/env.js';
import { createProduct, signUp, type TestUser } from '../support/factories.js';
import { eventually } from '../support/smtp-sink.js';
import { startIsolatedApp, type TestApp } from '../support/test-app.js';

/**
 * Bad input at scale: random and adversarial ids, query strings, headers and bodies at every
 * route of the Swagger document (so a new route is covered the day it appears). Whatever comes
 * in, the answer is a success in the envelope or a 4xx in the error format, never a 5xx.
 * An isolated database, because admins' random writes must not touch other files' data.
 */

interface Operation {
  method: string;
  path: string;
}

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let operations: Operation[];

beforeAll(async () => {
  t = await startIsolatedApp({ RUN_WORKERS: 'false' });
  admin = await signUp(t, { role: 'admin' });
  customer = await signUp(t);
  await createProduct(t, admin, { stock: 1000 });
  const doc = (await t.http.get('/docs-json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
  );
}, 60_000);
afterAll(async () => {
  await t.close();
});

const weird = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    '9999999999999999999999',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    "1' OR '1'='1",
    '1;DROP TABLE users',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '𝕏😀',
    'a'.repeat(5000),
    '__proto__',
    'constructor',
  ),
  fc.integer().map(String),
  fc.double().map(String),
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(
    fc.constantFrom(
      'items',
      'product_id',
      'quantity',
      'name',
      'price',
      'stock',
      'email',
      'username',
      'password',
      'role',
      'is_active',
      'status',
      'user_id',
      'refresh_token',
      'token',
      'start_date',
      'end_date',
      'description',
      'category',
      '__proto__',
      'constructor',
    ),
    fc.oneof(fc.jsonValue(), weird, fc.array(fc.dictionary(fc.string(), fc.jsonValue()))),
  ),
);

const request = fc.record({
  operation: fc.nat(),
  id: weird,
  query: fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'page',
        'page_size',
        'q',
        'sort',
        'category',
        'min_price',
        'max_price',
        'status',
        'user_id',
        'start_date',
        'end_date',
      ),
      fc.string(),
    ),
    weird,
    { maxKeys: 4 },
  ),
  body: fc.oneof(jsonish, weird),
  as: fc.constantFrom('anonymous', 'customer', 'admin', 'forged', 'garbage'),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  ),
  idempotencyKey: fc.option(weird),
  rawBody: fc.boolean(),
});

function authorization(as: string): string | undefined {
  switch (as) {
    case 'customer':
      return customer.bearer;
    case 'admin':
      return admin.bearer;
    case 'forged':
      return `Bearer ${customer.tokens.access_token.slice(0, -4)}AAAA`;
    case 'garbage':
      return 'Bearer not.a.jwt';
    default:
      return undefined;
  }
}

function assertContract(status: number, text: string, requestId: string | null): void {
  expect(status, text.slice(0, 500)).toBeLessThan(500);
  if (status === 204) return;
  const body = JSON.parse(text) as Record<string, unknown>;
  if (status >= 400) {
    expect(body).toMatchObject({ code: status, request_id: requestId });
    expect(typeof body.message).toBe('string');
    expect(text).not.toMatch(/at .+\.(js|ts):\d+|QueryFailedError|node_modules/);
  } else {
    expect(body).toMatchObject({ code: status, message: 'success' });
  }
}

describe('every route under random and adversarial input', () => {
  it('answers with a success or a 4xx in the error format, never a 5xx', async () => {
    expect(operations.length).toBeGreaterThan(20);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const op = operations[r.operation % operations.length]!;
        const path = op.path.replace(/\{[^}]+\}/g, encodeURIComponent(r.id));
        const url = new URL(path, t.url);
        for (const [key, value] of Object.entries(r.query)) url.searchParams.append(key, value);
        const headers: Record<string, string> = {};
        const auth = authorization(r.as);
        if (auth) headers.authorization = auth;
        if (r.contentType) headers['content-type'] = r.contentType;
        // Header values are bytes: what fetch can send of the random text.
        if (r.idempotencyKey !== null)
          headers['idempotency-key'] = r.idempotencyKey.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
        const hasBody = !['GET', 'HEAD', 'DELETE'].includes(op.method);
        const res = await fetch(url, {
          method: op.method,
          headers,
          body: hasBody
            ? r.rawBody && typeof r.body === 'string'
              ? r.body
              : JSON.stringify(r.body)
            : undefined,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (!url.pathname.startsWith('/api/')) {
          expect(res.status).toBeLessThan(500);
          return;
        }
        assertContract(res.status, text, res.headers.get('x-request-id'));
      }),
      { numRuns: 2000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 120_000);

  it('answers malformed JSON, deep nesting and oversized bodies with a 4xx', async () => {
    const cases: [string, string][] = [
      ['{"items": [', 'application/json'],
      ['['.repeat(10_000) + ']'.repeat(10_000), 'application/json'],
      [
        JSON.stringify({ items: [{ product_id: 1, quantity: 1 }], pad: 'x'.repeat(2_000_000) }),
        'application/json',
      ],
      ['\uFEFF{"items":[]}', 'application/json'],
    ];
    for (const op of operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))) {
      for (const [body, type] of cases) {
        const res = await fetch(new URL(op.path.replace(/\{[^}]+\}/g, '1'), t.url), {
          method: op.method,
          headers: { 'content-type': type, authorization: admin.bearer },
          body,
        });
        const text = await res.text();
        assertContract(res.status, text, res.headers.get('x-request-id'));
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
    }
  }, 120_000);

  it('answers many-key objects, long arrays, NUL characters and prototype keys with a 400 on every route that takes a body', async () => {
    const manyKeys = `{${Array.from({ length: 110_000 }, (_, i) => `"${i.toString(36)}":0`).join(',')}}`;
    const cases: [string, RegExp][] = [
      [manyKeys, /more than 1000 object keys/],
      [`{"ids":[${new Array(500_000).fill(0).join(',')}]}`, /more than 1000 array elements/],
      [`[${new Array(300_000).fill('{}').join(',')}]`, /more than 1000 array elements/],
      ['{"name":"cup\\u0000","items":[{"product_id":1,"quantity":1}]}', /Validation failed/],
      ['{"items":[{"product_id":1,"quantity":1,"note":"\\u0000"}]}', /Validation failed/],
      ['{"__proto__":{"role":"admin"}}', /Validation failed/],
      ['{"items":[{"constructor":{"prototype":{}}}]}', /Validation failed/],
    ];
    for (const op of operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))) {
      for (const [body, message] of cases) {
        const res = await fetch(new URL(op.path.replace(/\{[^}]+\}/g, '1'), t.url), {
          method: op.method,
          headers: { 'content-type': 'application/json', authorization: admin.bearer },
          body,
        });
        const text = await res.text();
        assertContract(res.status, text, res.headers.get('x-request-id'));
        expect(res.status, `${op.method} ${op.path}: ${text.slice(0, 200)}`).toBe(400);
        expect(JSON.parse(text).message).toMatch(message);
      }
    }
  }, 120_000);
});

describe('junk ids', () => {
  it("leave the app's Redis keys as they were, rate-limit counters aside", async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = t.config.redis.prefix;
    const keys = async (): Promise<Set<string>> => {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `*${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) if (!key.includes(':rl:')) found.add(key);
      } while (cursor !== '0');
      return found;
    };
    try {
      // Whatever the earlier properties queued has reached the queues; from here nothing moves.
      await eventually(async () => {
        const { rows } = await t.db.query(
          `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
        );
        expect(rows[0].n).toBe(0);
      });
      const before = await keys();
      const getRoutes = operations.filter((o) => o.method === 'GET' && o.path.includes('{'));
      expect(getRoutes.length).toBeGreaterThan(2);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          // Not empty, not a dot segment: URL resolution turns /api/products/ and /api/products/.
          // into the list (and .. into its parent) before the request leaves the client.
          weird.filter((id) => !['', '.', '..'].includes(id) && parseId(id) === undefined),
          fc.constantFrom('anonymous', 'customer', 'admin'),
          async (pick, id, as) => {
            const op = getRoutes[pick % getRoutes.length]!;
            const auth = authorization(as);
            const res = await fetch(
              new URL(op.path.replace(/\{[^}]+\}/g, encodeURIComponent(id)), t.url),
              { headers: auth ? { authorization: auth } : {} },
            );
            const text = await res.text();
            expect(
              res.status,
              `${op.path} ${JSON.stringify(id)}: ${text.slice(0, 200)}`,
            ).toBeGreaterThanOrEqual(400);
            assertContract(res.status, text, res.headers.get('x-request-id'));
          },
        ),
        { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
      const added = [...(await keys())].filter((key) => !before.has(key));
      expect(added).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
