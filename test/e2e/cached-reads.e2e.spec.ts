import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ResponseCacheInterceptor } from '../../src/common/cache/response-cache.interceptor.js';
import { JwtAuthGuard } from '../../src/common/guards/jwt-auth.guard.js';
import { createProduct, expectError, signUp, unique, type TestUser } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

/**
 * The cached-read fast path is the slow path shortened: it serves exactly the routes that carry
 * @CacheResponse (found in the controllers' metadata), and a hit runs none of Nest's pipeline.
 */

let t: TestApp;
let admin: TestUser;
let cachedOperations: string[];

beforeAll(async () => {
  t = await startApp({ TRUST_PROXY: 'true' });
  admin = await signUp(t, { role: 'admin' });
  const doc = (await t.http.get('/docs-json')).body as {
    paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
  };
  // @CacheResponse documents X-Cache on the operations it decorates.
  cachedOperations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) =>
        Object.values(op.responses).some((r) => r.headers && 'X-Cache' in r.headers),
      )
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
});
afterAll(() => t.close());

describe('the cached-read fast path', () => {
  it('serves every route that @CacheResponse decorates, and only those', () => {
    expect(cachedOperations.sort()).toEqual([
      'GET /api/products',
      'GET /api/products/hot',
      'GET /api/products/{id}',
    ]);
  });

  it.each([
    ['the list', () => `/api/products?category=${unique('c')}`],
    ['the hot list', () => `/api/products/hot?limit=${1 + Math.floor(Math.random() * 99)}`],
    ['a detail', async () => `/api/products/${(await createProduct(t, admin)).id}`],
    [
      'a missing id (a cached 404)',
      () => `/api/products/${9_000_000_000 + Math.floor(Math.random() * 1e6)}`,
    ],
  ])(
    'answers a hit on %s before any Nest guard, interceptor or controller, and a miss through them',
    async (_what, pathOf) => {
      const path = await pathOf();
      const guard = vi.spyOn(JwtAuthGuard.prototype, 'canActivate');
      const interceptor = vi.spyOn(ResponseCacheInterceptor.prototype, 'intercept');
      try {
        const client = `10.7.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
        const miss = await t.http.get(path).set('X-Forwarded-For', client);
        expect(miss.headers['x-cache']).toBe('MISS');
        expect([guard.mock.calls.length, interceptor.mock.calls.length]).toEqual([1, 1]);

        const hit = await t.http.get(path).set('X-Forwarded-For', client);
        expect(hit.headers['x-cache']).toBe('HIT');
        expect([guard.mock.calls.length, interceptor.mock.calls.length]).toEqual([1, 1]);
        // Same answer, same envelope, same rate-limit count and headers as the miss.
        expect(hit.status).toBe(miss.status);
        if (miss.status === 200) {
          expect(hit.body).toMatchObject({ code: 200, message: 'success', data: miss.body.data });
        } else {
          expect(expectError(hit, 404).message).toBe(expectError(miss, 404).message);
        }
        expect(Number(hit.headers['x-ratelimit-remaining'])).toBe(
          Number(miss.headers['x-ratelimit-remaining']) - 1,
        );
        expect(hit.headers['x-ratelimit-limit']).toBe(miss.headers['x-ratelimit-limit']);
      } finally {
        guard.mockRestore();
        interceptor.mockRestore();
      }
    },
  );

  it('leaves an invalid id to the route: no cache lookup, the pipe answers 400', async () => {
    const interceptor = vi.spyOn(ResponseCacheInterceptor.prototype, 'intercept');
    try {
      const res = await t.http.get('/api/products/not-an-id');
      expect(expectError(res, 400).errors).toEqual({ id: 'id must be a positive integer' });
      expect(res.headers['x-cache']).toBeUndefined();
      expect(interceptor).toHaveBeenCalledTimes(1);
    } finally {
      interceptor.mockRestore();
    }
  });
});
