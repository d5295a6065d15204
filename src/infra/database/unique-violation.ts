import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/**
 * The name of the UNIQUE constraint (or unique index) that refused a statement, or undefined
 * for any other error: repositories turn an expected duplicate into a domain error with it.
 */
export function violatedUnique(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const { code, constraint } = error.driverError as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && typeof constraint === 'string' ? constraint : undefined;
}
