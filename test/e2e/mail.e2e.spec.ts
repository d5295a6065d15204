import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import {
  createOrder,
  createProduct,
  expectError,
  login,
  register,
  signUp,
  unique,
  type TestUser,
} from '../support/factories.js';
import { eventually, linkToken, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let smtp: SmtpSink;
let admin: TestUser;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    APP_URL: 'https://shop.example.com/',
  });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

describe('welcome mail and email verification', () => {
  it('mails a welcome with a verification link that verifies the address once', async () => {
    const user = await register(t);
    const [mail] = await smtp.waitFor(user.email, /Welcome/);
    expect(mail!.body).toContain('https://shop.example.com/verify-email?token=');
    const token = linkToken(mail!, 'verify-email');
    const res = await t.http.post('/api/auth/verify-email').send({ token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: user.id, email_verified: true });
    expectError(await t.http.post('/api/auth/verify-email').send({ token }), 400);
  });

  it('refuses unknown and malformed tokens', async () => {
    expect(
      expectError(await t.http.post('/api/auth/verify-email').send({ token: 'nope' }), 400).errors,
    ).toHaveProperty('token');
    expectError(await t.http.post('/api/auth/verify-email').send({}), 400);
    expectError(await t.http.post('/api/auth/verify-email').send({ token: 5 }), 400);
  });

  it('mails a new link when the email changes, and the old link no longer verifies anything', async () => {
    const user = await register(t);
    const [welcome] = await smtp.waitFor(user.email, /Welcome/);
    const tokens = await login(t, user.username, user.password);
    const email = `${unique()}@example.com`;
    await t.http
      .put('/api/users/me')
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .send({ email, current_password: user.password });
    const [mail] = await smtp.waitFor(email, /Confirm your new email/);
    expectError(
      await t.http
        .post('/api/auth/verify-email')
        .send({ token: linkToken(welcome!, 'verify-email') }),
      400,
    );
    const res = await t.http
      .post('/api/auth/verify-email')
      .send({ token: linkToken(mail!, 'verify-email') });
    expect(res.body.data).toMatchObject({ email, email_verified: true });
  });
});

describe('password reset', () => {
  it('answers 202 for any address and mails a link only to existing accounts', async () => {
    const user = await register(t);
    const stranger = `${unique()}@example.com`;
    const [known, unknown] = await Promise.all([
      t.http.post('/api/auth/forgot-password').send({ email: user.email.toUpperCase() }),
      t.http.post('/api/auth/forgot-password').send({ email: stranger }),
    ]);
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual({
      code: 202,
      message: 'success',
      data: null,
      timestamp: expect.any(String),
    });
    expect(unknown.body.data).toEqual(known.body.data);
    await smtp.waitFor(user.email, /Reset your password/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to(stranger)).toEqual([]);
  });

  it('sets a new password once, and signs out every login', async () => {
    const user = await signUp(t);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email });
    const [mail] = await smtp.waitFor(user.email, /Reset your password/);
    expect(mail!.body).toContain('https://shop.example.com/reset-password?token=');
    const token = linkToken(mail!, 'reset-password');
    const res = await t.http
      .post('/api/auth/reset-password')
      .send({ token, password: 'a-brand-new-one' });
    expect(res.status).toBe(204);
    expectError(await t.http.get('/api/users/me').set('Authorization', user.bearer), 401);
    expectError(
      await t.http.post('/api/auth/refresh').send({ refresh_token: user.tokens.refresh_token }),
      401,
    );
    expectError(
      await t.http
        .post('/api/auth/login')
        .send({ username: user.username, password: user.password }),
      401,
    );
    await login(t, user.username, 'a-brand-new-one');
    expectError(
      await t.http.post('/api/auth/reset-password').send({ token, password: 'yet-another-one' }),
      400,
    );
  });

  it('refuses an expired or superseded token', async () => {
    const user = await register(t);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email });
    const [first] = await smtp.waitFor(user.email, /Reset your password/);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email });
    const mails = await smtp.waitFor(user.email, /Reset your password/, 2);
    expectError(
      await t.http
        .post('/api/auth/reset-password')
        .send({ token: linkToken(first!, 'reset-password'), password: 'password-xyz' }),
      400,
    );
    await t.db.query(
      `UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    expectError(
      await t.http
        .post('/api/auth/reset-password')
        .send({ token: linkToken(mails[1]!, 'reset-password'), password: 'password-xyz' }),
      400,
    );
  });

  it('lets exactly one of two concurrent resets with one token through', async () => {
    const user = await register(t);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email });
    const token = linkToken(
      (await smtp.waitFor(user.email, /Reset your password/))[0]!,
      'reset-password',
    );
    const results = await Promise.all([
      t.http.post('/api/auth/reset-password').send({ token, password: 'first-password' }),
      t.http.post('/api/auth/reset-password').send({ token, password: 'second-password' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
  });

  it('validates its bodies', async () => {
    expectError(
      await t.http.post('/api/auth/forgot-password').send({ email: 'not-an-email' }),
      400,
    );
    expectError(
      await t.http.post('/api/auth/reset-password').send({ token: 'x', password: 'short' }),
      400,
    );
    expectError(
      await t.http
        .post('/api/auth/reset-password')
        .send({ token: 'x', password: 'long-enough', role: 'admin' }),
      400,
    );
  });
});

describe('order mails', () => {
  it('mails a confirmation on order, a receipt on payment and a notice on cancellation', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { name: 'Teapot', price: 12.5 });
    const paid = await createOrder(t, user, [{ product_id: product.id, quantity: 2 }]);
    const [confirmation] = await smtp.waitFor(user.email, new RegExp(`Order ${paid.id} received`));
    expect(confirmation!.body).toContain('2 x Teapot: 25.00');
    await t.http.post(`/api/orders/${paid.id}/pay`).set('Authorization', user.bearer);
    await smtp.waitFor(user.email, new RegExp(`Receipt for order ${paid.id}`));

    const cancelled = await createOrder(t, user, [{ product_id: product.id, quantity: 1 }]);
    await t.http.put(`/api/orders/${cancelled.id}/cancel`).set('Authorization', user.bearer);
    const [notice] = await smtp.waitFor(user.email, new RegExp(`Order ${cancelled.id} cancelled`));
    expect(notice!.body).toContain('because you cancelled it');
    expect(notice!.messageId).toBe(`<order-cancelled-${cancelled.id}@shop.invalid>`);
  });
});

describe('shipping and completion mails', () => {
  it('mails a notice when an order is shipped and when it is completed, each once', async () => {
    const user = await signUp(t);
    const product = await createProduct(t, admin, { name: 'Kettle', price: 30 });
    const order = await createOrder(t, user, [{ product_id: product.id, quantity: 1 }]);
    await t.http.post(`/api/orders/${order.id}/pay`).set('Authorization', user.bearer);
    const ship = await t.http
      .put(`/api/orders/${order.id}/ship`)
      .set('Authorization', admin.bearer);
    expect(ship.status).toBe(200);
    const [shipped] = await smtp.waitFor(user.email, new RegExp(`Order ${order.id} shipped`));
    expect(shipped!.body).toContain('1 x Kettle: 30.00');
    expect(shipped!.messageId).toBe(`<order-shipped-${order.id}@shop.invalid>`);
    // A repeated transition is refused and mails nothing.
    expectError(
      await t.http.put(`/api/orders/${order.id}/ship`).set('Authorization', admin.bearer),
      409,
    );
    await t.http.put(`/api/orders/${order.id}/complete`).set('Authorization', admin.bearer);
    const [completed] = await smtp.waitFor(user.email, new RegExp(`Order ${order.id} completed`));
    expect(completed!.messageId).toBe(`<order-completed-${order.id}@shop.invalid>`);
    expectError(
      await t.http.put(`/api/orders/${order.id}/complete`).set('Authorization', admin.bearer),
      409,
    );

    // The outbox rows relayed again (as after a crash before they were marked) send nothing new.
    const relayedAgain = await t.db.query(
      `UPDATE outbox SET published_at = NULL WHERE payload->'job'->>'key' IN ($1, $2)`,
      [`order-shipped-${order.id}`, `order-completed-${order.id}`],
    );
    expect(relayedAgain.rowCount).toBe(2);
    await eventually(async () => {
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND payload->'job'->>'key' IN ($1, $2)`,
        [`order-shipped-${order.id}`, `order-completed-${order.id}`],
      );
      expect(rows[0].n).toBe(0);
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const subjects = smtp.to(user.email).map((mail) => mail.subject);
    expect(subjects.filter((s) => s === `Order ${order.id} shipped`)).toHaveLength(1);
    expect(subjects.filter((s) => s === `Order ${order.id} completed`)).toHaveLength(1);
  });
});

describe('the email queue', () => {
  it('sends a mail once even when its job runs twice', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QUEUES.email));
    const to = `${unique()}@example.com`;
    const job = {
      key: `test-duplicate-${unique()}`,
      to,
      template: { name: 'welcome', username: 'x', token_id: 1 },
    };
    await queue.add('send-mail', job, { jobId: unique('a') });
    await queue.add('send-mail', job, { jobId: unique('b') });
    await smtp.waitFor(to, /Welcome/);
    await eventually(async () => {
      expect(await queue.getJobCounts('completed')).toMatchObject({
        completed: expect.any(Number),
      });
      const { rows } = await t.db.query(`SELECT status FROM mail_deliveries WHERE key = $1`, [
        job.key,
      ]);
      expect(rows[0]?.status).toBe('sent');
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to(to)).toHaveLength(1);
  });
});
