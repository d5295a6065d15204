import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, login, signUp, unique, type TestUser } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startApp();
  admin = await signUp(t, { role: 'admin' });
});
afterAll(() => t.close());

const putMe = (user: TestUser, body: object) =>
  t.http.put('/api/users/me').set('Authorization', user.bearer).send(body);
const patchUser = (id: number | string, body: object, as = admin) =>
  t.http.patch(`/api/users/${id}`).set('Authorization', as.bearer).send(body);

describe('GET /api/users/me', () => {
  it('returns the caller', async () => {
    const user = await signUp(t);
    const res = await t.http.get('/api/users/me').set('Authorization', user.bearer);
    expect(res.body.data).toMatchObject({
      id: user.id,
      username: user.username,
      email: user.email,
      role: 'customer',
    });
  });
});

describe('PUT /api/users/me', () => {
  it('changes the username without the current password', async () => {
    const user = await signUp(t);
    const username = unique('renamed');
    const res = await putMe(user, { username });
    expect(res.status).toBe(200);
    expect(res.body.data.username).toBe(username);
    expect(
      (await t.http.post('/api/auth/login').send({ username, password: user.password })).status,
    ).toBe(200);
  });

  it('needs current_password to change the email, and marks the new email unverified', async () => {
    const user = await signUp(t);
    await t.db.query('UPDATE users SET email_verified = true WHERE id = $1', [user.id]);
    const email = `${unique()}@example.com`;
    expect(expectError(await putMe(user, { email }), 400).errors).toHaveProperty(
      'current_password',
    );
    const res = await putMe(user, { email, current_password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ email, email_verified: false });
  });

  it('needs current_password to rewrite the email in other letter case too, which leaves it verified', async () => {
    const user = await signUp(t);
    await t.db.query('UPDATE users SET email_verified = true WHERE id = $1', [user.id]);
    const email = user.email.toUpperCase();
    expect(expectError(await putMe(user, { email }), 400).errors).toHaveProperty(
      'current_password',
    );
    const { rows } = await t.db.query('SELECT email FROM users WHERE id = $1', [user.id]);
    expect(rows[0].email).toBe(user.email);
    const res = await putMe(user, { email, current_password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ email, email_verified: true });
    // The same address as stored: no password needed to send it unchanged.
    expect((await putMe(user, { email })).status).toBe(200);
  });

  it('refuses a wrong current_password with 400 and changes nothing', async () => {
    const user = await signUp(t);
    const res = await putMe(user, {
      password: 'new-password-1',
      current_password: 'not-my-password',
    });
    expect(expectError(res, 400).errors).toEqual({
      current_password: 'current_password is incorrect',
    });
    expect(
      (
        await t.http
          .post('/api/auth/login')
          .send({ username: user.username, password: user.password })
      ).status,
    ).toBe(200);
  });

  it('checks a current_password that was sent even when the change does not need it', async () => {
    const user = await signUp(t);
    const username = `renamed_${Date.now()}`;
    const wrong = await putMe(user, { username, current_password: 'not-my-password' });
    expect(expectError(wrong, 400).errors).toEqual({
      current_password: 'current_password is incorrect',
    });
    const { rows } = await t.db.query('SELECT username FROM users WHERE id = $1', [user.id]);
    expect(rows[0].username).toBe(user.username);
    const right = await putMe(user, { username, current_password: user.password });
    expect(right.status).toBe(200);
    expect(right.body.data.username).toBe(username);
    // Without it, a change of username needs none.
    expect((await putMe(user, { username: `${username}2` })).status).toBe(200);
  });

  it('changes the password and signs out every other login, keeping this one', async () => {
    const user = await signUp(t);
    const other = await login(t, user.username, user.password);
    const res = await putMe(user, {
      password: 'brand-new-password',
      current_password: user.password,
    });
    expect(res.status).toBe(200);
    expectError(
      await t.http.get('/api/users/me').set('Authorization', `Bearer ${other.access_token}`),
      401,
    );
    expectError(
      await t.http.post('/api/auth/refresh').send({ refresh_token: other.refresh_token }),
      401,
    );
    expect((await t.http.get('/api/users/me').set('Authorization', user.bearer)).status).toBe(200);
    expectError(
      await t.http
        .post('/api/auth/login')
        .send({ username: user.username, password: user.password }),
      401,
    );
    await login(t, user.username, 'brand-new-password');
  });

  it('refuses an email or username that another user has with 409', async () => {
    const [user, other] = await Promise.all([signUp(t), signUp(t)]);
    expect(
      expectError(await putMe(user, { username: other.username.toUpperCase() }), 409).errors,
    ).toHaveProperty('username');
    expect(
      expectError(await putMe(user, { email: other.email, current_password: user.password }), 409)
        .errors,
    ).toHaveProperty('email');
  });

  it.each([['role'], ['is_active'], ['email_verified'], ['id']])(
    'refuses %s (no mass assignment)',
    async (field) => {
      const user = await signUp(t);
      expect(expectError(await putMe(user, { [field]: 'admin' }), 400).errors).toHaveProperty(
        field,
      );
    },
  );

  it.each(['email', 'username', 'password', 'current_password'])(
    'refuses %s: null with 400',
    async (field) => {
      const user = await signUp(t);
      expect(expectError(await putMe(user, { [field]: null }), 400).errors).toHaveProperty(field);
    },
  );

  it('validates like registration', async () => {
    const user = await signUp(t);
    expect(expectError(await putMe(user, { username: 'x' }), 400).errors).toHaveProperty(
      'username',
    );
    expect(
      expectError(await putMe(user, { password: 'short', current_password: user.password }), 400)
        .errors,
    ).toHaveProperty('password');
  });
});

describe('GET /api/users (admin)', () => {
  it('pages all users in id order', async () => {
    await Promise.all([signUp(t), signUp(t), signUp(t)]);
    const first = await t.http
      .get('/api/users?page=1&page_size=2')
      .set('Authorization', admin.bearer);
    expect(first.status).toBe(200);
    const page = first.body.data;
    expect(page).toMatchObject({
      page: 1,
      page_size: 2,
      total: expect.any(Number),
      total_pages: Math.ceil(page.total / 2),
    });
    expect(page.items).toHaveLength(2);
    expect(page.items[0].id).toBeLessThan(page.items[1].id);
    const second = await t.http
      .get('/api/users?page=2&page_size=2')
      .set('Authorization', admin.bearer);
    expect(second.body.data.items[0].id).toBeGreaterThan(page.items[1].id);
    expect(JSON.stringify(first.body)).not.toMatch(/password/);
  });

  it('defaults to page 1 of 20', async () => {
    const res = await t.http.get('/api/users').set('Authorization', admin.bearer);
    expect(res.body.data).toMatchObject({ page: 1, page_size: 20 });
  });

  it.each([
    'page=0',
    'page=-1',
    'page=abc',
    'page=1.5',
    'page_size=0',
    'page_size=101',
    'page_size=x',
    'sort=name',
  ])('answers ?%s with 400', async (query) => {
    expectError(await t.http.get(`/api/users?${query}`).set('Authorization', admin.bearer), 400);
  });

  it('answers a customer with 403', async () => {
    const user = await signUp(t);
    expectError(await t.http.get('/api/users').set('Authorization', user.bearer), 403);
  });
});

describe('PATCH /api/users/:id (admin)', () => {
  it('disables a user: their live access token answers 403, and enabling again restores it', async () => {
    const user = await signUp(t);
    const res = await patchUser(user.id, { is_active: false });
    expect(res.status).toBe(200);
    expect(res.body.data.is_active).toBe(false);
    expectError(await t.http.get('/api/users/me').set('Authorization', user.bearer), 403);
    await patchUser(user.id, { is_active: true });
    expect((await t.http.get('/api/users/me').set('Authorization', user.bearer)).status).toBe(200);
  });

  it('promotes a user, who can use admin routes with the token already held', async () => {
    const user = await signUp(t);
    expectError(await t.http.get('/api/users').set('Authorization', user.bearer), 403);
    expect((await patchUser(user.id, { role: 'admin' })).body.data.role).toBe('admin');
    expect((await t.http.get('/api/users').set('Authorization', user.bearer)).status).toBe(200);
  });

  it('does not let an admin disable or demote themselves', async () => {
    expectError(await patchUser(admin.id, { is_active: false }), 403);
    expectError(await patchUser(admin.id, { role: 'customer' }), 403);
    expect((await patchUser(admin.id, { role: 'admin' })).status).toBe(200);
  });

  it('answers a missing user with 404 and a non-numeric id with 400', async () => {
    expectError(await patchUser(987654321, { is_active: false }), 404);
    expect(expectError(await patchUser('abc', { is_active: false }), 400).errors).toEqual({
      id: 'id must be a positive integer',
    });
    expectError(await patchUser('1e3', { is_active: false }), 400);
    expectError(await patchUser('99999999999999999999', { is_active: false }), 400);
  });

  it('accepts only is_active and role', async () => {
    const user = await signUp(t);
    expect(
      expectError(await patchUser(user.id, { email: 'x@example.com' }), 400).errors,
    ).toHaveProperty('email');
    expect(expectError(await patchUser(user.id, { role: 'superuser' }), 400).errors).toHaveProperty(
      'role',
    );
    expect(expectError(await patchUser(user.id, { is_active: 'no' }), 400).errors).toHaveProperty(
      'is_active',
    );
  });

  it('answers a customer with 403', async () => {
    const [user, other] = await Promise.all([signUp(t), signUp(t)]);
    expectError(await patchUser(other.id, { is_active: false }, user), 403);
  });
});
