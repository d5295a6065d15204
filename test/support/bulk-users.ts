import { randomBytes, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type pg from 'pg';
import { unique, type TestUser } from './factories.js';

/**
 * Customers made in two statements, for tests that need hundreds of buyers: users and live
 * sessions written straight into the database, and access tokens signed as the api signs them
 * (HS256, issuer and audience shop-api, no kid: the key whose signature it carries verifies it).
 * What registration and login do is tested elsewhere; this only makes many callers cheaply.
 * They cannot log in (no password hash) and have no refresh token.
 */
export async function bulkUsers(db: pg.Pool, secret: string, count: number): Promise<TestUser[]> {
  const names = Array.from({ length: count }, () => unique('bulk'));
  const { rows } = await db.query<{ id: number; username: string; email: string }>(
    `INSERT INTO users (email, username, password_hash)
     SELECT n || '@example.com', n, 'not-a-hash' FROM unnest($1::text[]) AS n
     RETURNING id, username, email`,
    [names],
  );
  const sessions = rows.map(() => randomUUID());
  await db.query(
    `INSERT INTO auth_sessions (id, user_id, refresh_token_hash, expires_at)
     SELECT s, u, $3, now() + interval '1 day' FROM unnest($1::uuid[], $2::bigint[]) AS t(s, u)`,
    [sessions, rows.map((row) => row.id), randomBytes(32).toString('hex')],
  );
  const jwt = new JwtService({ secret });
  return rows.map((row, i) => {
    const token = jwt.sign(
      { sub: String(row.id), sid: sessions[i], typ: 'access' },
      { algorithm: 'HS256', expiresIn: 3600, issuer: 'shop-api', audience: 'shop-api' },
    );
    return {
      id: row.id,
      email: row.email,
      username: row.username,
      password: '',
      tokens: { access_token: token, refresh_token: '' },
      bearer: `Bearer ${token}`,
    };
  });
}
