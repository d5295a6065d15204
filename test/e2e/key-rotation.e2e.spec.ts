import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyIdOf } from '../../src/modules/auth/jwt-keys.js';
import { unique, type Tokens } from '../support/factories.js';
import { REDIS_URL, runDatabaseUrl } from '../support/env.js';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes.js';
import { decode } from '../support/tokens.js';

// Three api processes on one database, as replicas before and after a rotation would be.
// Processes, not apps in the test's process: passport keeps one "jwt" strategy per process.
const OLD = 'old-secret-before-the-rotation-0123456789abcdef';
const NEW = 'new-secret-after-the-rotation-0123456789abcdefg';
const OTHER = 'a-third-secret-nobody-configured-0123456789abc';

interface Api {
  base: string;
  spawned: Spawned;
}

async function startApi(env: NodeJS.ProcessEnv): Promise<Api> {
  const port = await freePort();
  const spawned = spawnNode('dist/main.js', {
    NODE_ENV: 'test',
    DATABASE_URL: runDatabaseUrl(),
    REDIS_URL,
    REDIS_PREFIX: `test:${inject('runId')}:rot${randomBytes(3).toString('hex')}`,
    MIGRATIONS_RUN: 'false',
    RUN_WORKERS: 'false',
    RATE_LIMIT_REQUESTS: '100000',
    AUTH_RATE_LIMIT_REQUESTS: '100000',
    SHUTDOWN_DRAIN_MS: '0',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForStatus(`${base}/health/ready`);
  return { base, spawned };
}

let before: Api;
let rotated: Api;
let newOnly: Api;

beforeAll(async () => {
  [before, rotated, newOnly] = await Promise.all([
    startApi({ JWT_SECRET: OLD }),
    startApi({ JWT_SECRET: NEW, JWT_SECRET_PREVIOUS: OLD }),
    startApi({ JWT_SECRET: NEW }),
  ]);
}, 60_000);
afterAll(async () => {
  for (const api of [before, rotated, newOnly]) api.spawned.child.kill('SIGTERM');
  await Promise.all([before, rotated, newOnly].map((api) => api.spawned.exited));
});

const post = (api: Api, path: string, body: object) =>
  fetch(`${api.base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A new user, signed in on the given api: its tokens are signed with that api's secret. */
async function signedIn(api: Api): Promise<{ username: string; tokens: Tokens }> {
  const username = unique('rot');
  const password = 'password-123';
  const registered = await post(api, '/api/auth/register', {
    email: `${username}@example.com`,
    username,
    password,
  });
  expect(registered.status).toBe(201);
  return { username, tokens: await login(api, username) };
}

async function login(api: Api, username: string): Promise<Tokens> {
  const res = await post(api, '/api/auth/login', { username, password: 'password-123' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Tokens }).data;
}

const me = async (api: Api, token: string): Promise<number> =>
  (await fetch(`${api.base}/api/users/me`, { headers: { Authorization: `Bearer ${token}` } }))
    .status;
const refresh = (api: Api, token: string) =>
  post(api, '/api/auth/refresh', { refresh_token: token });
const header = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const verifies = (token: string, secret: string): boolean => {
  try {
    new JwtService({ secret }).verify(token);
    return true;
  } catch {
    return false;
  }
};

describe('rotating JWT_SECRET with JWT_SECRET_PREVIOUS', () => {
  it('names the signing key in every token header by a kid derived from it, never the key', async () => {
    const { tokens } = await signedIn(before);
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      expect(header(token)).toMatchObject({ alg: 'HS256', kid: keyIdOf(OLD) });
      expect(token).not.toContain(OLD);
    }
    expect(keyIdOf(OLD)).not.toBe(keyIdOf(NEW));
    expect(keyIdOf(OLD)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('accepts access tokens signed with the previous secret', async () => {
    const { tokens } = await signedIn(before);
    expect(await me(rotated, tokens.access_token)).toBe(200);
  });

  it('refreshes with a refresh token signed with the previous secret, into tokens of the new one', async () => {
    const { tokens } = await signedIn(before);
    const res = await refresh(rotated, tokens.refresh_token);
    expect(res.status).toBe(200);
    const next = ((await res.json()) as { data: Tokens }).data;
    for (const token of [next.access_token, next.refresh_token]) {
      expect(header(token).kid).toBe(keyIdOf(NEW));
      expect(verifies(token, NEW)).toBe(true);
    }
    // So the api that no longer knows the old secret at all takes them.
    expect(await me(newOnly, next.access_token)).toBe(200);
    expect((await refresh(newOnly, next.refresh_token)).status).toBe(200);
  });

  it('signs a new login with the new secret', async () => {
    const { username } = await signedIn(before);
    const tokens = await login(rotated, username);
    expect(header(tokens.access_token).kid).toBe(keyIdOf(NEW));
    expect(verifies(tokens.access_token, NEW)).toBe(true);
    expect(verifies(tokens.access_token, OLD)).toBe(false);
    expect(await me(before, tokens.access_token)).toBe(401);
  });

  it('refuses tokens of the old secret once it is no longer the previous one', async () => {
    const { tokens } = await signedIn(before);
    expect(await me(newOnly, tokens.access_token)).toBe(401);
    expect((await refresh(newOnly, tokens.refresh_token)).status).toBe(401);
  });

  it('refuses a token signed with a third key, whatever kid it names', async () => {
    const { tokens } = await signedIn(before);
    const third = new JwtService({ secret: OTHER });
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      const { exp: _exp, iat: _iat, ...claims } = decode(token);
      for (const keyid of [keyIdOf(OTHER), keyIdOf(OLD), keyIdOf(NEW), undefined]) {
        const forged = third.sign(claims, { expiresIn: 600, ...(keyid ? { keyid } : {}) });
        const status =
          claims.typ === 'access'
            ? await me(rotated, forged)
            : (await refresh(rotated, forged)).status;
        expect(status, `typ ${String(claims.typ)}, kid ${keyid}`).toBe(401);
      }
    }
  });

  it('accepts tokens from before kids, by the key whose signature they carry', async () => {
    const { tokens } = await signedIn(before);
    const { exp: _exp, iat: _iat, ...claims } = decode(tokens.access_token);
    const legacy = new JwtService({ secret: OLD }).sign(claims, { expiresIn: 600 });
    expect(header(legacy).kid).toBeUndefined();
    expect(await me(rotated, legacy)).toBe(200);
    expect(await me(newOnly, legacy)).toBe(401);
  });
});
