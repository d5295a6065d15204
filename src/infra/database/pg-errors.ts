import { QueryFailedError } from 'typeorm';

const CHECK_VIOLATION = '23514';

/**
 * The name of the CHECK constraint that refused a statement, or undefined for any other error.
 * Repositories whose writes are guarded by a CHECK (stock >= 0, a customer's caps) tell an
 * expected refusal from a failure with it.
 */
export function violatedCheck(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const { code, constraint } = error.driverError as { code?: unknown; constraint?: unknown };
  return code === CHECK_VIOLATION && typeof constraint === 'string' ? constraint : undefined;
}
