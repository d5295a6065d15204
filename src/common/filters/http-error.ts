import { HttpException, HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError, type DomainErrorKind, type FieldErrors } from '../errors/domain-error.js';

export interface HttpError {
  status: number;
  message: string;
  errors: FieldErrors | null;
  /** Extra top-level fields kept in the body (the Terminus result of a failed readiness check). */
  extra?: Record<string, unknown>;
  /** Seconds for a Retry-After header. */
  retryAfter?: number;
  /** Only unexpected failures are logged with their stack. */
  unexpected: boolean;
}

const KIND_STATUS: Record<DomainErrorKind, number> = {
  validation: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const UNAVAILABLE: HttpError = {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  message: 'Service temporarily unavailable, please retry',
  errors: null,
  unexpected: false,
};

/**
 * A safety net: validation should stop bad input before SQL, but when the database is the one
 * to refuse a value, that is still the client's 4xx, described without SQL.
 */
const PG_CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  '22001': { status: 400, message: 'A value is too long' },
  '22003': { status: 400, message: 'A number is out of range' },
  '22P02': { status: 400, message: 'A value has the wrong format' },
  '23502': { status: 400, message: 'A required value is missing' },
  '23514': { status: 400, message: 'A value is outside what is allowed' },
  '23503': { status: 409, message: 'A referenced record does not exist or is still in use' },
  '23505': { status: 409, message: 'That already exists' },
};

// PostgreSQL SQLSTATEs that mean "not right now, retry", not "your request is bad": the server
// or a connection went away, a statement timed out, or a deadlock / serialization failure.
const PG_UNAVAILABLE = new Set([
  '40P01',
  '40001',
  '55P03',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const POOL_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|Connection is closed/i;

const httpExceptionMessage = (exception: HttpException): string => {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  return exception.message;
};

const isInfrastructureFailure = (exception: unknown): boolean => {
  if (!(exception instanceof Error)) return false;
  const code = (exception as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_UNAVAILABLE.has(code) || NETWORK_CODES.has(code)))
    return true;
  return POOL_MESSAGES.test(exception.message);
};

interface HealthCheckBody {
  status: string;
  info: Record<string, unknown>;
  error: Record<string, unknown>;
  details: Record<string, unknown>;
}

/** Terminus reports a failed check as a 503 whose body is its result; keep that body. */
const healthCheckResult = (body: unknown): HealthCheckBody | null => {
  if (typeof body !== 'object' || body === null) return null;
  const candidate = body as Partial<HealthCheckBody>;
  return candidate.status === 'error' &&
    typeof candidate.details === 'object' &&
    typeof candidate.error === 'object'
    ? (candidate as HealthCheckBody)
    : null;
};

/** Maps anything thrown to a status and a message that is safe to show a client. */
export function toHttpError(exception: unknown): HttpError {
  if (exception instanceof DomainError) {
    return {
      status: KIND_STATUS[exception.kind],
      message: exception.message,
      errors: exception.errors,
      ...(exception.retryAfterSeconds === undefined
        ? {}
        : { retryAfter: exception.retryAfterSeconds }),
      unexpected: false,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const health = healthCheckResult(exception.getResponse());
    if (health) {
      return {
        status,
        message: 'Service unavailable',
        // Only that a check failed: why is logged by the health module, never shown.
        errors: Object.fromEntries(Object.keys(health.error).map((name) => [name, 'down'])),
        extra: { ...health },
        unexpected: false,
      };
    }
    return {
      status,
      message: httpExceptionMessage(exception),
      errors: null,
      unexpected: status >= 500,
    };
  }
  if (exception instanceof QueryFailedError) {
    const code = (exception.driverError as { code?: string } | undefined)?.code;
    const known = code === undefined ? undefined : PG_CLIENT_ERRORS[code];
    if (known) return { ...known, errors: null, unexpected: false };
  }
  if (
    isInfrastructureFailure(exception) ||
    (exception instanceof QueryFailedError && isInfrastructureFailure(exception.driverError))
  ) {
    return UNAVAILABLE;
  }
  return { status: 500, message: 'Internal server error', errors: null, unexpected: true };
}
