import pg from 'pg';

const UNDEFINED_DATABASE = '3D000';
const INSUFFICIENT_PRIVILEGE = '42501';

export class DatabaseSetupError extends Error {
  override readonly name = 'DatabaseSetupError';
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Creates the database named in the URL when it does not exist and the role may create it;
 * otherwise explains exactly what to run. Returns true when it created the database.
 */
export async function ensureDatabase(url: string, connectTimeoutMs = 5000): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== UNDEFINED_DATABASE) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }

  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const role = decodeURIComponent(target.username) || 'the connecting role';
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({
    connectionString: maintenance.toString(),
    connectionTimeoutMillis: connectTimeoutMs,
  });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42P04') return false; // created concurrently by another replica
    if (code === INSUFFICIENT_PRIVILEGE) {
      throw new DatabaseSetupError(
        `Database "${name}" does not exist and role "${role}" may not create it. ` +
          `Ask an administrator to run: CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(role)};`,
      );
    }
    throw error;
  } finally {
    await admin.end().catch(() => undefined);
  }
}
