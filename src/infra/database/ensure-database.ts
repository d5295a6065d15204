import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const UNDEFINED_DATABASE = '3D000';
const INSUFFICIENT_PRIVILEGE = '42501';
const DUPLICATE_DATABASE = '42P04';

export class DatabaseSetupError extends Error {
  override readonly name = 'DatabaseSetupError';
}

export interface EnsureDatabaseOptions {
  /** How long one connection attempt may take. */
  readonly connectTimeoutMs?: number;
  /** Further attempts while the server cannot be reached (it may still be starting). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A PostgreSQL error carries an SQLSTATE (five characters); a network error an errno name. */
const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

const reason = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim() ||
  'no reason given';

/**
 * Where DATABASE_URL points, for a start-up error: host, port and database, never the
 * credentials.
 */
const where = (url: URL): string =>
  `${url.hostname || 'localhost'}:${url.port || '5432'}/${decodeURIComponent(url.pathname.slice(1))}`;

/**
 * The failure to open a connection as one line naming DATABASE_URL: the server refused it
 * (a role that does not exist, a wrong password, ...) or could not be reached at all.
 */
function connectionError(url: URL, error: unknown): DatabaseSetupError {
  return new DatabaseSetupError(
    sqlState(error) === undefined
      ? `Cannot connect to PostgreSQL at ${where(url)} (DATABASE_URL): ${reason(error)}`
      : `PostgreSQL refused the connection to ${where(url)} (DATABASE_URL): ${reason(error)}`,
  );
}

/** Connects to `url`; retries while the server cannot be reached, never after it answered. */
async function connect(
  url: string,
  { connectTimeoutMs = 5000, retries = 0, retryDelayMs = 2000 }: EnsureDatabaseOptions,
): Promise<pg.Client> {
  for (let attempt = 0; ; attempt += 1) {
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (sqlState(error) !== undefined || attempt >= retries) throw error;
      await sleep(retryDelayMs);
    }
  }
}

/**
 * Creates the database named in the URL when it does not exist and the role may create it;
 * otherwise explains exactly what to run. Any other failure to connect is a DatabaseSetupError
 * too, one line naming DATABASE_URL. Returns true when it created the database.
 */
export async function ensureDatabase(
  url: string,
  options: EnsureDatabaseOptions = {},
): Promise<boolean> {
  const target = new URL(url);
  let role: string | undefined;
  try {
    const probe = await connect(url, options);
    await probe.end().catch(() => undefined);
    return false;
  } catch (error) {
    if (sqlState(error) !== UNDEFINED_DATABASE) throw connectionError(target, error);
    role = new pg.Client({ connectionString: url }).user;
  }

  const owner = decodeURIComponent(target.username) || role || 'postgres';
  // Without a path, PostgreSQL connects to the database named like the role.
  const name = decodeURIComponent(target.pathname.slice(1)) || owner;
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  let admin: pg.Client;
  try {
    admin = await connect(maintenance.toString(), { ...options, retries: 0 });
  } catch (error) {
    throw new DatabaseSetupError(
      `Database "${name}" does not exist, and it cannot be created through the "postgres" ` +
        `database (${reason(error)}). Ask an administrator to run: ` +
        `CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)};`,
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (error) {
    const code = sqlState(error);
    if (code === DUPLICATE_DATABASE) return false; // created concurrently by another replica
    if (code === INSUFFICIENT_PRIVILEGE) {
      throw new DatabaseSetupError(
        `Database "${name}" does not exist and role "${owner}" may not create it. ` +
          `Ask an administrator to run: CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)};`,
      );
    }
    throw new DatabaseSetupError(
      `Database "${name}" does not exist and creating it failed: ${reason(error)}`,
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}
