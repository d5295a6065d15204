import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, login, register, signUp, unique } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';
import { decode, forge } from '../support/tokens.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

const me = (token: string) => t.http.get('/api/users/me').set('Authorization', `Bearer ${token}`);
const refresh = (token: string) => t.http.post('/api/auth/refresh').send({ refresh_token: token });

describe('POST /api/auth/register', () => {
  it('creates a customer and never returns the password or its hash', async () => {
    const username = unique();
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: `${username}@Example.com`, username, password: 'password-123' });
    expect(res.status).toBe(201);
    expect(res.body.code).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(Number),
      email: `${username}@Example.com`,
      username,
      role: 'customer',
      is_active: true,
      email_verified: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/);
    const { rows } = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [
      res.body.data.id,
    ]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a taken email regardless of case with 409', async () => {
    const user = await register(t);
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: user.email.toUpperCase(), username: unique(), password: 'password-123' });
    expect(expectError(res, 409).errors).toEqual({ email: 'email is already taken' });
  });

  it('refuses a taken username regardless of case with 409', async () => {
    const user = await register(t);
    const res = await t.http.post('/api/auth/register').send({
      email: `${unique()}@example.com`,
      username: user.username.toUpperCase(),
      password: 'password-123',
    });
    expect(expectError(res, 409).errors).toEqual({ username: 'username is already taken' });
  });

  it('lets exactly one of two concurrent registrations of one email succeed', async () => {
    const email = `${unique()}@example.com`;
    const results = await Promise.all(
      [unique(), unique()].map((username) =>
        t.http.post('/api/auth/register').send({ email, username, password: 'password-123' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{ email: `${'a'.repeat(250)}@example.com` }, 'email'],
    [{ username: 'ab' }, 'username'],
    [{ username: 'a'.repeat(51) }, 'username'],
    [{ username: 'has space' }, 'username'],
    [{ username: 'ada@home' }, 'username'],
    [{ password: 'short' }, 'password'],
    [{ password: 'p'.repeat(129) }, 'password'],
    [{ password: 12345678 }, 'password'],
    [{ username: ['array'] }, 'username'],
    [{ email: null }, 'email'],
  ])('rejects %j with 400 naming the field', async (override, field) => {
    const body = {
      email: `${unique()}@example.com`,
      username: unique(),
      password: 'password-123',
      ...override,
    };
    const res = await t.http.post('/api/auth/register').send(body);
    expect(Object.keys(expectError(res, 400).errors ?? {})).toEqual([field]);
  });

  it.each(['role', 'is_active', 'email_verified', 'id'])(
    'refuses %s in the body (no mass assignment)',
    async (field) => {
      const res = await t.http.post('/api/auth/register').send({
        email: `${unique()}@example.com`,
        username: unique(),
        password: 'password-123',
        [field]: 'admin',
      });
      expect(expectError(res, 400).errors).toHaveProperty(field);
    },
  );
});

describe('POST /api/auth/login', () => {
  it('signs in by username and by email, case-insensitively', async () => {
    const user = await register(t);
    const byName = await login(t, user.username.toUpperCase(), user.password);
    const byEmail = await login(t, user.email.toUpperCase(), user.password);
    for (const tokens of [byName, byEmail]) {
      expect((await me(tokens.access_token)).body.data.id).toBe(user.id);
    }
  });

  it('returns bearer tokens with their lifetimes', async () => {
    const user = await register(t);
    const res = await t.http
      .post('/api/auth/login')
      .send({ username: user.username, password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_expires_in: 604800,
    });
    const header = JSON.parse(
      Buffer.from(res.body.data.access_token.split('.')[0], 'base64url').toString(),
    );
    expect(header.alg).toBe('HS256');
    expect(decode(res.body.data.access_token)).toMatchObject({
      typ: 'access',
      sub: String(user.id),
    });
    expect(decode(res.body.data.access_token).exp).toBe(
      (decode(res.body.data.access_token).iat as number) + 900,
    );
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const user = await register(t);
    const wrong = expectError(
      await t.http
        .post('/api/auth/login')
        .send({ username: user.username, password: 'wrong-password' }),
      401,
    );
    const unknown = expectError(
      await t.http.post('/api/auth/login').send({ username: unique(), password: 'wrong-password' }),
      401,
    );
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.message).toBe('Invalid username or password');
  });

  it('answers a disabled account with 403 once the password is right', async () => {
    const user = await register(t);
    await t.db.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
    expectError(
      await t.http
        .post('/api/auth/login')
        .send({ username: user.username, password: user.password }),
      403,
    );
    expectError(
      await t.http
        .post('/api/auth/login')
        .send({ username: user.username, password: 'wrong-password' }),
      401,
    );
  });

  it('rejects missing and mistyped fields with 400', async () => {
    expectError(await t.http.post('/api/auth/login').send({ username: 'x' }), 400);
    expectError(
      await t.http.post('/api/auth/login').send({ username: { $ne: null }, password: 'x' }),
      400,
    );
    expectError(await t.http.post('/api/auth/login').send({}), 400);
  });
});

describe('access tokens', () => {
  it.each([
    ['no header', undefined],
    ['a malformed header', 'Token abc'],
    ['an empty bearer', 'Bearer '],
    ['garbage', 'Bearer not.a.jwt'],
  ])('answers %s with 401', async (_name, header) => {
    const req = t.http.get('/api/users/me');
    if (header !== undefined) req.set('Authorization', header);
    expectError(await req, 401);
  });

  it('answers a bearer header with anything after the token with 401', async () => {
    const user = await signUp(t);
    for (const header of [
      `Bearer ${user.tokens.access_token} extra`,
      `Bearer ${user.tokens.access_token},Bearer x`,
      `Basic ${user.tokens.access_token}`,
    ]) {
      expectError(await t.http.get('/api/users/me').set('Authorization', header), 401);
    }
    const plain = await t.http.get('/api/users/me').set('Authorization', user.bearer);
    expect(plain.status).toBe(200);
  });

  it('refuses alg none, a wrong key, another algorithm, tampering and expiry', async () => {
    const user = await signUp(t);
    const forged = forge(user.tokens.access_token);
    for (const token of [
      forged.algNone,
      forged.wrongKey,
      forged.hs512,
      forged.tampered,
      forged.expired,
    ]) {
      expectError(await me(token), 401);
    }
    expect((await me(user.tokens.access_token)).status).toBe(200);
  });

  it('says an expired token has expired', async () => {
    const user = await signUp(t);
    expect(expectError(await me(forge(user.tokens.access_token).expired), 401).message).toBe(
      'Access token has expired',
    );
  });

  it('refuses a refresh token used as an access token', async () => {
    const user = await signUp(t);
    expectError(await me(user.tokens.refresh_token), 401);
    expectError(await me(forge(user.tokens.access_token).withType('refresh')), 401);
  });

  it.each([
    ['a session id that is no UUID', { sid: 'not-a-uuid' }],
    ['a session id that is a number', { sid: 42 }],
    ['a subject that is no user id', { sub: 'someone' }],
  ])('answers a well-signed token with %s with 401, never 400 or 500', async (_name, claims) => {
    const user = await signUp(t);
    expectError(await me(forge(user.tokens.access_token).withClaims(claims)), 401);
    expectError(await refresh(forge(user.tokens.refresh_token).withClaims(claims)), 401);
    expect((await me(user.tokens.access_token)).status).toBe(200);
  });

  it('refuses a well-signed token without an expiry', async () => {
    const user = await signUp(t);
    const forged = forge(user.tokens.access_token).withClaims({}, { noExpiry: true });
    expectError(await me(forged), 401);
  });

  it('refuses an access token used as a refresh token', async () => {
    const user = await signUp(t);
    expectError(await refresh(user.tokens.access_token), 401);
    expectError(await refresh(forge(user.tokens.refresh_token).withType('access')), 401);
  });
});

describe('short token lifetimes (JWT_ACCESS_TTL, JWT_REFRESH_TTL)', () => {
  it('starts with lifetimes of a second or two, and the tokens expire then', async () => {
    const short = await startApp({ JWT_ACCESS_TTL: '1', JWT_REFRESH_TTL: '2' });
    try {
      const user = await signUp(short);
      expect(user.tokens).toMatchObject({ expires_in: 1, refresh_expires_in: 2 });
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const auth = `Bearer ${user.tokens.access_token}`;
      const expired = await short.http.get('/api/users/me').set('Authorization', auth);
      expect(expectError(expired, 401).message).toBe('Access token has expired');
      expectError(
        await short.http
          .post('/api/auth/refresh')
          .send({ refresh_token: user.tokens.refresh_token }),
        401,
      );
    } finally {
      await short.close();
    }
  });
});

describe('POST /api/auth/refresh', () => {
  it('rotates: the new pair works and the old refresh token is dead', async () => {
    const user = await signUp(t);
    const res = await refresh(user.tokens.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body.data.refresh_token).not.toBe(user.tokens.refresh_token);
    expect((await me(res.body.data.access_token)).status).toBe(200);
    expect((await refresh(res.body.data.refresh_token)).status).toBe(200);
  });

  it('revokes the whole login when a dead refresh token is presented again', async () => {
    const user = await signUp(t);
    const second = (await refresh(user.tokens.refresh_token)).body.data;
    const reuse = expectError(await refresh(user.tokens.refresh_token), 401);
    expect(reuse.message).toMatch(/already used/);
    expectError(await refresh(second.refresh_token), 401);
    expectError(await me(second.access_token), 401);
    expectError(await me(user.tokens.access_token), 401);
  });

  it('leaves other logins of the same user alone on reuse', async () => {
    const user = await signUp(t);
    const other = await login(t, user.username, user.password);
    await refresh(user.tokens.refresh_token);
    await refresh(user.tokens.refresh_token);
    expect((await me(other.access_token)).status).toBe(200);
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });

  it('lets exactly one of two concurrent refreshes with one token win', async () => {
    const user = await signUp(t);
    const results = await Promise.all([
      refresh(user.tokens.refresh_token),
      refresh(user.tokens.refresh_token),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses forged refresh tokens', async () => {
    const user = await signUp(t);
    const forged = forge(user.tokens.refresh_token);
    for (const token of [
      forged.algNone,
      forged.wrongKey,
      forged.expired,
      forged.tampered,
      'garbage',
    ]) {
      expectError(await refresh(token), 401);
    }
    // none of those counted as reuse: the real token still works
    expect((await refresh(user.tokens.refresh_token)).status).toBe(200);
  });

  it('answers 403 for a disabled account', async () => {
    const user = await signUp(t);
    await t.db.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
    expectError(await refresh(user.tokens.refresh_token), 403);
  });

  it('needs a refresh_token string', async () => {
    expectError(await t.http.post('/api/auth/refresh').send({}), 400);
    expectError(await t.http.post('/api/auth/refresh').send({ refresh_token: 42 }), 400);
  });
});

describe('POST /api/auth/logout', () => {
  it('kills that login: its access and refresh tokens answer 401 afterwards', async () => {
    const user = await signUp(t);
    const res = await t.http
      .post('/api/auth/logout')
      .set('Authorization', user.bearer)
      .send({ refresh_token: user.tokens.refresh_token });
    expect(res.status).toBe(204);
    expectError(await me(user.tokens.access_token), 401);
    expectError(await refresh(user.tokens.refresh_token), 401);
  });

  it("leaves the user's other logins signed in", async () => {
    const user = await signUp(t);
    const other = await login(t, user.username, user.password);
    await t.http
      .post('/api/auth/logout')
      .set('Authorization', user.bearer)
      .send({ refresh_token: user.tokens.refresh_token });
    expect((await me(other.access_token)).status).toBe(200);
  });

  it("refuses another user's refresh token", async () => {
    const [alice, bob] = await Promise.all([signUp(t), signUp(t)]);
    const res = await t.http
      .post('/api/auth/logout')
      .set('Authorization', alice.bearer)
      .send({ refresh_token: bob.tokens.refresh_token });
    expectError(res, 401);
    expect((await me(bob.tokens.access_token)).status).toBe(200);
  });

  it('needs authentication', async () => {
    const user = await signUp(t);
    expectError(
      await t.http.post('/api/auth/logout').send({ refresh_token: user.tokens.refresh_token }),
      401,
    );
  });
});
