import { QueryFailedError } from 'typeorm';

/** All a log line says about an error. */
export interface SafeError {
  type: string;
  message: string;
  /** SQLSTATE for database errors, or a system code such as ECONNREFUSED. */
  code?: string;
  stack?: string;
}

const stringField = (value: unknown, key: string): string | undefined => {
  const field: unknown =
    typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)[key]
      : undefined;
  return typeof field === 'string' ? field : undefined;
};

/**
 * An error reduced to its name, message, code and stack. Errors carry more than that: TypeORM's
 * QueryFailedError holds the statement's parameters (what a customer typed, a password hash)
 * and its driver error the offending values; none of that may reach a log line.
 */
export function safeError(error: unknown): SafeError {
  if (!(error instanceof Error)) return { type: typeof error, message: 'a non-Error was thrown' };
  const code =
    error instanceof QueryFailedError
      ? stringField(error.driverError, 'code')
      : stringField(error, 'code');
  return {
    type: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}

/**
 * pino's `err` serializer: every `err` of every line goes through safeError. pino-http hands it
 * the standard serialisation, whose non-enumerable `raw` is the error itself.
 */
export const errSerializer = (serialized: unknown): SafeError => {
  const raw: unknown =
    typeof serialized === 'object' && serialized !== null && 'raw' in serialized
      ? serialized.raw
      : serialized;
  return safeError(raw);
};
