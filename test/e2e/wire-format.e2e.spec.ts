import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, signUp, type TestUser } from '../support/factories.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  t = await startApp();
  user = await signUp(t);
});
afterAll(() => t.close());

describe('wire format', () => {
  it('wraps a success in {code, message, data, timestamp} with code equal to the status', async () => {
    const res = await t.http.get('/api/users/me').set('Authorization', user.bearer);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      message: 'success',
      data: expect.objectContaining({ id: user.id }),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('answers an unknown route with a 404 in the error format', async () => {
    const res = await t.http.get('/api/no-such-thing?x=1');
    const body = expectError(res, 404);
    expect(body).toMatchObject({ errors: null, path: '/api/no-such-thing' });
  });

  it('matches paths in their case: /API/... is an unknown route, never an unwrapped answer', async () => {
    for (const path of ['/API/users/me', '/Api/users/me', '/api/Users/me']) {
      expectError(await t.http.get(path).set('Authorization', user.bearer), 404);
    }
    expectError(await t.http.get('/API/products?page_size=1'), 404);
    expectError(await t.http.post('/API/ORDERS').set('Authorization', user.bearer).send({}), 404);
  });

  it('answers an unknown route outside /api in the error format too', async () => {
    expectError(await t.http.delete('/nowhere'), 404);
  });

  it('echoes a client X-Request-ID and puts it in error bodies', async () => {
    const res = await t.http.get('/api/nope').set('X-Request-ID', 'trace-abc.123');
    expect(res.headers['x-request-id']).toBe('trace-abc.123');
    expect(expectError(res, 404)).toMatchObject({ request_id: 'trace-abc.123' });
  });

  it('generates an X-Request-ID when the client sends none or an unusable one', async () => {
    const none = await t.http.get('/health/live');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await t.http.get('/health/live').set('X-Request-ID', 'has spaces and <script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const a = await t.http.get('/health/live');
    expect(a.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "x",');
    expect(expectError(res, 400).message).toBe('Malformed JSON body');
  });

  it('answers a body over 1 MB with 413', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a'.repeat(1024 * 1024 + 10) }));
    expectError(res, 413);
  });

  it('answers 413 as soon as a body passes 1 MB, and closes the connection a second later', async () => {
    // A body that would never end: chunked, and a Content-Length far past the limit.
    const send = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string; closedMs: number }>((resolve, reject) => {
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const req = request(`${t.url}/api/products/batch`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
        });
        // Sends until the server closes the connection (before, it read on for 30 s).
        const pump = (): void => {
          while (!req.destroyed && req.write(chunk)) {
            // until the socket's buffer is full
          }
          if (!req.destroyed) req.once('drain', pump);
        };
        let answer: { status: number; body: string; at: number } | undefined;
        req.on('response', (res) => {
          let body = '';
          res.on('data', (data: Buffer) => (body += String(data)));
          res.on('end', () => {
            answer = { status: res.statusCode ?? 0, body, at: Date.now() };
          });
        });
        // The server goes on reading (and dropping) the body for a while, then closes: the
        // client's next write fails, after the answer has arrived.
        const closed = (): void => {
          if (answer === undefined) reject(new Error('closed before the answer'));
          else resolve({ ...answer, closedMs: Date.now() - answer.at });
        };
        req.on('error', closed);
        req.on('close', closed);
        req.write('{"ids": [1], "pad": "');
        pump();
      });
    const endless: Record<string, string>[] = [
      { 'Transfer-Encoding': 'chunked' },
      { 'Content-Length': '99999999999' },
    ];
    for (const headers of endless) {
      const answer = await send(headers);
      expect(answer.status, JSON.stringify(headers)).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({
        code: 413,
        message: 'Request body exceeds 1 MB',
      });
      // Answered at the limit, not at the end of the body, and cut off soon after.
      expect(answer.closedMs).toBeLessThan(5000);
    }
  });

  it('accepts a body just under 1 MB (and validates it)', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        JSON.stringify({ email: 'a'.repeat(1000 * 1000), username: 'abc', password: 'password-1' }),
      );
    expect(expectError(res, 400).errors).toHaveProperty('email');
  });

  it('maps validation errors to {field: message}', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: 'nope', username: 'a', password: 1 });
    const body = expectError(res, 400);
    expect(body.message).toBe('Validation failed');
    expect(body.errors).toEqual({
      email: 'email must be a valid email address',
      username: 'username must be 3 to 50 characters',
      password: 'password must be a string',
    });
  });

  it('tells a missing or mistyped field its type before its bounds', async () => {
    const login = await t.http.post('/api/auth/login').send({ username: 1 });
    expect(expectError(login, 400).errors).toEqual({
      username: 'username must be a string',
      password: 'password must be a string',
    });
    const page = await t.http.get('/api/products?page_size=abc');
    expect(expectError(page, 400).errors).toEqual({ page_size: 'page_size must be an integer' });
    const order = await t.http
      .post('/api/orders')
      .set('Authorization', user.bearer)
      .send({ items: [{ product_id: 1, quantity: '1' }] });
    expect(expectError(order, 400).errors).toEqual({
      'items.0.quantity': 'quantity must be an integer',
    });
  });

  it('refuses unknown body fields instead of ignoring them', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: 'x@example.com', username: 'xyz', password: 'password-1', is_admin: true });
    expect(expectError(res, 400).errors).toEqual({ is_admin: 'is_admin is not an accepted field' });
  });

  it('names a long unknown field by its start only, so a 1 MB key is not echoed back twice', async () => {
    const key = 'k'.repeat(1024 * 1024 - 100);
    const res = await t.http
      .post('/api/products/batch')
      .set('Content-Type', 'application/json')
      .send(`{"ids": [1], "${key}": 1}`);
    const label = `${'k'.repeat(63)}…`;
    expect(expectError(res, 400).errors).toEqual({ [label]: `${label} is not an accepted field` });
    expect(JSON.stringify(res.body).length).toBeLessThan(1000);
  });

  it('answers a JSON array or scalar body with 400, not 500', async () => {
    expectError(
      await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('[1,2]'),
      400,
    );
    expectError(
      await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('"x"'),
      400,
    );
    expectError(
      await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('null'),
      400,
    );
  });

  it('answers a body that is not JSON at all with 400', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'text/plain')
      .send('username=x');
    expectError(res, 400);
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded', 'username=renamed'],
    ['text', 'text/plain', '{"username":"renamed"}'],
    ['no media type', undefined, '{"username":"renamed"}'],
  ])(
    'refuses a body in %s with 400 instead of acting as if none was sent',
    async (_n, type, body) => {
      const req = t.http.put('/api/users/me').set('Authorization', user.bearer);
      if (type === undefined) req.unset('Content-Type');
      else req.set('Content-Type', type);
      const res = await req.send(body);
      expect(expectError(res, 400).message).toBe(
        'Request body must be JSON (Content-Type: application/json)',
      );
      const me = await t.http.get('/api/users/me').set('Authorization', user.bearer);
      expect(me.body.data.username).toBe(user.username);
    },
  );

  it('takes the JSON-based +json media types as JSON', async () => {
    const username = `${user.username}x`;
    const res = await t.http
      .put('/api/users/me')
      .set('Authorization', user.bearer)
      .set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ username }));
    expect(res.status).toBe(200);
    expect(res.body.data.username).toBe(username);
    await t.http
      .put('/api/users/me')
      .set('Authorization', user.bearer)
      .send({ username: user.username });
  });

  it('answers DELETE-style 204s with no body', async () => {
    const res = await t.http
      .post('/api/auth/logout')
      .set('Authorization', user.bearer)
      .send({ refresh_token: user.tokens.refresh_token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  it('does not announce the framework', async () => {
    const res = await t.http.get('/health/live');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
