import { describe, expect, it } from 'vitest';
import { startApp } from '../support/test-app.js';

describe('security headers', () => {
  it('sends helmet headers and no X-Powered-By', async () => {
    const t = await startApp();
    try {
      const res = await t.http.get('/api/products?page_size=1');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toContain('max-age=');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      // Swagger UI loads only its own scripts, so the policy does not break it.
      const docs = await t.http.get('/docs/');
      expect(docs.text).not.toMatch(/<script>/);
    } finally {
      await t.close();
    }
  });

  it('allows cross-origin calls only from CORS_ORIGINS, exposing the headers clients read', async () => {
    const t = await startApp({ CORS_ORIGINS: 'https://shop.example.com' });
    try {
      const allowed = await t.http
        .options('/api/orders')
        .set('Origin', 'https://shop.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
      expect(allowed.status).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      const simple = await t.http
        .get('/api/products?page_size=1')
        .set('Origin', 'https://shop.example.com');
      expect(simple.headers['access-control-expose-headers']).toContain('X-Request-ID');
      expect(simple.headers['access-control-expose-headers']).toContain('Idempotent-Replayed');
      const other = await t.http
        .get('/api/products?page_size=1')
        .set('Origin', 'https://evil.example.com');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
