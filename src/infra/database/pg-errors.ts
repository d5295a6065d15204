import pg from 'pg';
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

/**
 * SQLSTATEs with which a server refuses or drops a connection: connection exceptions (class 08),
 * a shutdown or a restart (57P01-57P03), no connection slot left (53300).
 */
const CONNECTION_LOST = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** How a hot standby cancels a query whose rows replay is about to change or remove. */
const RECOVERY_CONFLICT = new Set(['40001', '40P01']);

/**
 * Why a read on a replica failed in a way that the primary may not: 'connection' when the replica
 * could not be reached or dropped the connection (an error thrown before the statement ran, a
 * network error, or one of the SQLSTATEs above), 'conflict' when it cancelled the query to go on
 * replaying. Anything else (a statement timeout, a bad value) would fail on the primary too.
 */
export function replicaReadFailure(error: unknown): 'connection' | 'conflict' | undefined {
  if (!(error instanceof QueryFailedError)) return 'connection';
  const driverError: unknown = error.driverError;
  if (!(driverError instanceof pg.DatabaseError)) return 'connection';
  if (driverError.code !== undefined && CONNECTION_LOST.has(driverError.code)) return 'connection';
  if (driverError.code !== undefined && RECOVERY_CONFLICT.has(driverError.code)) return 'conflict';
  return undefined;
}
