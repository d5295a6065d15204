import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, register, signUp, unique } from '../support/factories.js';
import { linkToken, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({ RUN_WORKERS: 'true', SMTP_URL: smtp.url });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const COMMON = ['12345678', 'password123', 'Password1', 'qwertyuiop', 'iloveyou1'];

describe('passwords on the list of common passwords', () => {
  it.each(COMMON)('refuses %s at registration with 400 naming password', async (password) => {
    const username = unique();
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: `${username}@example.com`, username, password });
    expect(expectError(res, 400).errors).toEqual({
      password: 'password is too common; choose another',
    });
  });

  it('refuses them as a new password on PUT /api/users/me, and changes nothing', async () => {
    const user = await signUp(t);
    for (const password of COMMON) {
      const res = await t.http
        .put('/api/users/me')
        .set('Authorization', user.bearer)
        .send({ password, current_password: user.password });
      expect(expectError(res, 400).errors).toHaveProperty('password');
    }
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: user.username, password: user.password });
    expect(login.status).toBe(200);
  });

  it('refuses them on reset-password, and the link still works for a better one', async () => {
    const user = await register(t);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email });
    const token = linkToken(
      (await smtp.waitFor(user.email, /Reset your password/))[0]!,
      'reset-password',
    );
    for (const password of COMMON) {
      const res = await t.http.post('/api/auth/reset-password').send({ token, password });
      expect(expectError(res, 400).errors).toHaveProperty('password');
    }
    const res = await t.http
      .post('/api/auth/reset-password')
      .send({ token, password: 'an-uncommon-passphrase' });
    expect(res.status).toBe(204);
  });
});

/** Addresses validator.js takes by default that SMTP relays refuse (see DELIVERABLE_EMAIL). */
const UNDELIVERABLE = [
  '"quoted"@example.com',
  '"with space"@example.com',
  '"a@b"@example.com',
  'user@[127.0.0.1]',
  'user@[IPv6:::1]',
  'user@127.0.0.1',
  'müller@example.com',
  'user@localhost',
  'Ada <ada@example.com>',
];

describe('addresses that mail relays refuse', () => {
  it.each(UNDELIVERABLE)('refuses %s at registration with 400 naming email', async (email) => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email, username: unique(), password: 'password-123' });
    expect(Object.keys(expectError(res, 400).errors ?? {})).toEqual(['email']);
  });

  it('refuses them as a new address on PUT /api/users/me', async () => {
    const user = await signUp(t);
    for (const email of UNDELIVERABLE) {
      const res = await t.http
        .put('/api/users/me')
        .set('Authorization', user.bearer)
        .send({ email, current_password: user.password });
      expect(expectError(res, 400).errors, email).toHaveProperty('email');
    }
  });

  it('still takes ordinary addresses, plus-tags and international domains', async () => {
    for (const email of [
      `${unique()}+shop@example.com`,
      `first.last.${unique()}@mail.example.co.uk`,
      `${unique()}@bücher.example`,
    ]) {
      const res = await t.http
        .post('/api/auth/register')
        .send({ email, username: unique(), password: 'password-123' });
      expect(res.status, email).toBe(201);
    }
  });
});
