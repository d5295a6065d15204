import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

/** The constraint that refused a statement with this SQLSTATE, or undefined for any other error. */
function violated(error: unknown, sqlState: string): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const { code, constraint } = error.driverError as { code?: unknown; constraint?: unknown };
  return code === sqlState && typeof constraint === 'string' ? constraint : undefined;
}

/**
 * The UNIQUE constraint (or unique index) that refused a statement: repositories turn an
 * expected duplicate into a domain error with it.
 */
export const violatedUnique = (error: unknown): string | undefined =>
  violated(error, UNIQUE_VIOLATION);

/**
 * The CHECK constraint that refused a statement. Repositories whose writes are guarded by a
 * CHECK (stock >= 0, a customer's caps) tell an expected refusal from a failure with it.
 */
export const violatedCheck = (error: unknown): string | undefined =>
  violated(error, CHECK_VIOLATION);
