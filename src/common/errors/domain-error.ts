export type FieldErrors = Record<string, string>;

const MAX_FIELD_LABEL = 64;

/**
 * A field's path as an error names it: cut to 64 characters. An unknown field's name is the
 * client's, and echoing a 1 MB key twice (as the key and in its message) made a 2 MB answer.
 */
export const fieldLabel = (path: string): string =>
  path.length <= MAX_FIELD_LABEL ? path : `${path.slice(0, MAX_FIELD_LABEL - 1)}…`;

export const DOMAIN_ERROR_KINDS = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'unprocessable',
  'rate_limited',
  'unavailable',
] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

/**
 * What services throw. It names what went wrong in domain terms; the exception filter alone
 * decides the HTTP status and the wire format.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly errors: FieldErrors | null = null,
    /** For rate_limited: when to try again, sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string): DomainError =>
  new DomainError('not_found', `${what} not found`);
export const conflict = (message: string, errors: FieldErrors | null = null): DomainError =>
  new DomainError('conflict', message, errors);
export const forbidden = (message = 'Forbidden'): DomainError =>
  new DomainError('forbidden', message);
export const unauthorized = (message = 'Unauthorized'): DomainError =>
  new DomainError('unauthorized', message);
export const validationFailed = (errors: FieldErrors): DomainError =>
  new DomainError('validation', 'Validation failed', errors);
export const unprocessable = (message: string): DomainError =>
  new DomainError('unprocessable', message);
export const rateLimited = (message: string, retryAfterSeconds: number): DomainError =>
  new DomainError('rate_limited', message, null, Math.max(1, Math.ceil(retryAfterSeconds)));
