import { describe, expect, it } from 'vitest';
import { expectError } from '../support/factories.js';
import { startApp } from '../support/test-app.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the queue dashboard at /admin/queues', () => {
  it('does not exist unless credentials are configured', async () => {
    const t = await startApp();
    try {
      expectError(await t.http.get('/admin/queues'), 404);
    } finally {
      await t.close();
    }
  });

  it('asks for basic auth, refuses wrong credentials, and shows the queues', async () => {
    const t = await startApp({
      BULL_BOARD_USERNAME: 'ops',
      BULL_BOARD_PASSWORD: 'correct horse battery',
    });
    try {
      const anonymous = await t.http.get('/admin/queues');
      expectError(anonymous, 401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="queues"/);
      expectError(
        await t.http.get('/admin/queues').set('Authorization', basic('ops', 'wrong')),
        401,
      );
      expectError(
        await t.http.get('/admin/queues/api/queues').set('Authorization', basic('ops', 'wrong')),
        401,
      );

      const page = await t.http
        .get('/admin/queues')
        .set('Authorization', basic('ops', 'correct horse battery'));
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<html/i);
      const api = await t.http
        .get('/admin/queues/api/queues')
        .set('Authorization', basic('ops', 'correct horse battery'));
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
        'email',
        'orders',
        'reports',
      ]);
    } finally {
      await t.close();
    }
  });
});
