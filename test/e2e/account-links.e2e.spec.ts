import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { expectError, login, register, signUp, unique } from '../support/factories.js';
import { eventually, linkToken, SmtpSink, type ReceivedMail } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

const DASHBOARD = { user: 'ops', password: 'queue-dashboard-password' };
let t: TestApp;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    BULL_BOARD_USERNAME: DASHBOARD.user,
    BULL_BOARD_PASSWORD: DASHBOARD.password,
  });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

/** Every string and number in a value, and whatever follows a "token=" in its strings. */
function candidates(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      found.push(v, ...[...v.matchAll(/token=([^&\s"]+)/g)].map((m) => m[1]!));
    } else if (typeof v === 'number') found.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...new Set(found)].filter((s) => s.length > 0 && s.length <= 200);
}

/** What an operator (or anyone with the dashboard's password) can read about a mail. */
async function storedCopies(key: string): Promise<unknown[]> {
  const queue = t.app.get<Queue>(getQueueToken(QUEUES.email));
  let job: unknown;
  await eventually(async () => {
    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    job = jobs.find((j) => (j.data as { key: string }).key === key)?.data;
    expect(job).toBeDefined();
  });
  const { rows } = await t.db.query(
    `SELECT payload FROM outbox WHERE payload->'job'->>'key' = $1`,
    [key],
  );
  expect(rows).toHaveLength(1);
  const dashboard = await t.http
    .get('/admin/queues/api/queues?activeQueue=email&status=latest&page=1&jobsPerPage=1000')
    .auth(DASHBOARD.user, DASHBOARD.password);
  expect(dashboard.status).toBe(200);
  return [job, rows[0].payload, dashboard.text];
}

async function expectNoUsableToken(
  copies: unknown[],
  mail: ReceivedMail,
  page: 'verify-email' | 'reset-password',
): Promise<void> {
  const token = linkToken(mail, page);
  for (const copy of copies) expect(JSON.stringify(copy)).not.toContain(token);
  const tried = candidates(copies.slice(0, 2));
  expect(tried.length).toBeGreaterThan(3);
  for (const candidate of tried) {
    const res =
      page === 'verify-email'
        ? await t.http.post('/api/auth/verify-email').send({ token: candidate })
        : await t.http
            .post('/api/auth/reset-password')
            .send({ token: candidate, password: 'taken-over-account' });
    expect(res.status, candidate).toBe(400);
  }
}

describe('mailed links carry the only copy of their token', () => {
  it('a welcome mail verifies the address, while its queue job, outbox row and dashboard hold no usable token', async () => {
    const user = await register(t);
    const [mail] = await smtp.waitFor(user.email, /Welcome/);
    await expectNoUsableToken(await storedCopies(`welcome-${user.id}`), mail!, 'verify-email');
    const res = await t.http
      .post('/api/auth/verify-email')
      .send({ token: linkToken(mail!, 'verify-email') });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: user.id, email_verified: true });
  });

  it('a reset mail sets the password, while its queue job, outbox row and dashboard hold no usable token', async () => {
    const user = await register(t);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email });
    const [mail] = await smtp.waitFor(user.email, /Reset your password/);
    const { rows } = await t.db.query(
      `SELECT id FROM user_tokens WHERE user_id = $1 AND purpose = 'reset_password'`,
      [user.id],
    );
    await expectNoUsableToken(
      await storedCopies(`password-reset-${rows[0].id}`),
      mail!,
      'reset-password',
    );
    const res = await t.http
      .post('/api/auth/reset-password')
      .send({ token: linkToken(mail!, 'reset-password'), password: 'a-fresh-password' });
    expect(res.status).toBe(204);
    await login(t, user.username, 'a-fresh-password');
  });

  it('a new-address mail verifies it, while its queue job, outbox row and dashboard hold no usable token', async () => {
    const user = await signUp(t);
    const email = `${unique()}@example.com`;
    await t.http
      .put('/api/users/me')
      .set('Authorization', user.bearer)
      .send({ email, current_password: user.password });
    const [mail] = await smtp.waitFor(email, /Confirm your new email/);
    const { rows } = await t.db.query(
      `SELECT id FROM user_tokens WHERE user_id = $1 AND email = $2`,
      [user.id, email],
    );
    await expectNoUsableToken(
      await storedCopies(`verify-email-${rows[0].id}`),
      mail!,
      'verify-email',
    );
    const res = await t.http
      .post('/api/auth/verify-email')
      .send({ token: linkToken(mail!, 'verify-email') });
    expect(res.body.data).toMatchObject({ email, email_verified: true });
  });

  it('stores links only as hashes', async () => {
    const user = await register(t);
    const [mail] = await smtp.waitFor(user.email, /Welcome/);
    const { rows } = await t.db.query(`SELECT * FROM user_tokens WHERE user_id = $1`, [user.id]);
    expect(JSON.stringify(rows)).not.toContain(linkToken(mail!, 'verify-email'));
  });
});

describe('links die with the credentials they were sent for', () => {
  const resetLink = async (email: string): Promise<string> => {
    const before = smtp.to(email).filter((mail) => /Reset your password/.test(mail.subject)).length;
    await t.http.post('/api/auth/forgot-password').send({ email });
    const mails = await smtp.waitFor(email, /Reset your password/, before + 1);
    return linkToken(mails[mails.length - 1]!, 'reset-password');
  };
  const reset = (token: string) =>
    t.http.post('/api/auth/reset-password').send({ token, password: 'reset-by-someone' });
  const putMe = (bearer: string, body: object) =>
    t.http.put('/api/users/me').set('Authorization', bearer).send(body);

  it('a password change retires the reset and verification links mailed before it', async () => {
    const user = await signUp(t);
    const verify = linkToken((await smtp.waitFor(user.email, /Welcome/))[0]!, 'verify-email');
    const token = await resetLink(user.email);
    const res = await putMe(user.bearer, {
      password: 'changed-it-myself',
      current_password: user.password,
    });
    expect(res.status).toBe(200);
    expectError(await reset(token), 400);
    expectError(await t.http.post('/api/auth/verify-email').send({ token: verify }), 400);
    await login(t, user.username, 'changed-it-myself');
  });

  it('an email change retires the reset link mailed to the old address', async () => {
    const user = await signUp(t);
    const token = await resetLink(user.email);
    const email = `${unique()}@example.com`;
    expect((await putMe(user.bearer, { email, current_password: user.password })).status).toBe(200);
    expectError(await reset(token), 400);
    await login(t, user.username, user.password);
  });

  it('a password reset retires the verification link mailed before it', async () => {
    const user = await register(t);
    const verify = linkToken((await smtp.waitFor(user.email, /Welcome/))[0]!, 'verify-email');
    expect((await reset(await resetLink(user.email))).status).toBe(204);
    expectError(await t.http.post('/api/auth/verify-email').send({ token: verify }), 400);
  });

  it('refuses a reset link mailed to an address the account no longer has', async () => {
    const user = await register(t);
    const token = await resetLink(user.email);
    // However the address changed (here, behind the API's back), the old inbox proves nothing.
    await t.db.query('UPDATE users SET email = $2 WHERE id = $1', [
      user.id,
      `${unique()}@example.com`,
    ]);
    expect(expectError(await reset(token), 400).errors).toHaveProperty('token');
    await login(t, user.username, user.password);
  });
});
