import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { conflict, validationFailed, type DomainError } from '../../common/errors/domain-error.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** The answer to a request whose Idempotency-Key another request still holds. */
export const keyStillRunning = (): DomainError =>
  conflict('A request with this Idempotency-Key is still being processed; retry later');

const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

/** Idempotency-Key: absent, or 1 to 255 visible ASCII characters. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!VISIBLE_ASCII.test(value)) {
    throw validationFailed({ [IDEMPOTENCY_HEADER]: 'must be 1 to 255 visible ASCII characters' });
  }
  return value;
}

/** The request's validated Idempotency-Key, or undefined. */
export const IdempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  parseIdempotencyKey(ctx.switchToHttp().getRequest<Request>().get(IDEMPOTENCY_HEADER)),
);

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
};

/** SHA-256 of the body with its object keys sorted: key order does not make a body different. */
export const fingerprint = (body: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
