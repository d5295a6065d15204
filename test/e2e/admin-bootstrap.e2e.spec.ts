import { describe, expect, it } from 'vitest';
import { expectError, login, register, unique } from '../support/factories.js';
import { startApp } from '../support/test-app.js';

describe('the admin from ADMIN_EMAIL / ADMIN_PASSWORD', () => {
  it('is created at start-up and can use admin routes', async () => {
    const email = `${unique('root')}@example.com`;
    const t = await startApp({
      ADMIN_EMAIL: email,
      ADMIN_PASSWORD: 'admin-password-1',
      ADMIN_USERNAME: unique('root'),
    });
    try {
      const tokens = await login(t, email, 'admin-password-1');
      const res = await t.http
        .get('/api/users')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expect(res.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('is ensured idempotently and its password is never changed by a restart', async () => {
    const email = `${unique('root')}@example.com`;
    const username = unique('root');
    const first = await startApp({
      ADMIN_EMAIL: email,
      ADMIN_PASSWORD: 'first-password-1',
      ADMIN_USERNAME: username,
    });
    await first.close();
    const second = await startApp({
      ADMIN_EMAIL: email,
      ADMIN_PASSWORD: 'second-password-2',
      ADMIN_USERNAME: username,
    });
    try {
      const { rows } = await second.db.query(
        'SELECT count(*) AS n FROM users WHERE lower(email) = lower($1)',
        [email],
      );
      expect(rows[0].n).toBe(1);
      await login(second, email, 'first-password-1');
      expectError(
        await second.http
          .post('/api/auth/login')
          .send({ username: email, password: 'second-password-2' }),
        401,
      );
    } finally {
      await second.close();
    }
  });

  it('never promotes an existing customer who registered that email', async () => {
    const probe = await startApp();
    const customer = await register(probe);
    await probe.close();
    const t = await startApp({
      ADMIN_EMAIL: customer.email,
      ADMIN_PASSWORD: 'admin-password-1',
      ADMIN_USERNAME: unique('root'),
    });
    try {
      const { rows } = await t.db.query('SELECT role FROM users WHERE id = $1', [customer.id]);
      expect(rows[0].role).toBe('customer');
    } finally {
      await t.close();
    }
  });
});
