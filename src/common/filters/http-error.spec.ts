import {
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { conflict, DomainError, notFound, validationFailed } from '../errors/domain-error.js';
import { toHttpError } from './http-error.js';

const pgError = (code: string, message = 'boom'): QueryFailedError =>
  new QueryFailedError('SELECT secret FROM t', [], Object.assign(new Error(message), { code }));

describe('toHttpError', () => {
  it.each([
    [validationFailed({ a: 'b' }), 400],
    [new DomainError('unauthorized', 'x'), 401],
    [new DomainError('forbidden', 'x'), 403],
    [notFound('Product'), 404],
    [conflict('x'), 409],
    [new DomainError('unprocessable', 'x'), 422],
    [new DomainError('unavailable', 'x'), 503],
  ])('maps a domain error to its status', (error, status) => {
    expect(toHttpError(error)).toMatchObject({ status, message: error.message, unexpected: false });
  });

  it('keeps field errors', () => {
    expect(toHttpError(validationFailed({ price: 'bad' })).errors).toEqual({ price: 'bad' });
  });

  it('passes Nest HTTP exceptions through with their status and message', () => {
    expect(toHttpError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      message: 'Cannot GET /x',
    });
    expect(toHttpError(new PayloadTooLargeException())).toMatchObject({ status: 413 });
  });

  it('keeps a failed health check body and names the failed checks', () => {
    const body = {
      status: 'error',
      info: {},
      error: { redis: { status: 'down', message: 'timeout' } },
      details: {},
    };
    expect(toHttpError(new ServiceUnavailableException(body))).toMatchObject({
      status: 503,
      errors: { redis: 'down' },
      extra: body,
    });
  });

  it.each(['57014', '57P01', '53300', '08006', '40P01', '40001'])(
    'answers PostgreSQL outage code %s with 503',
    (code) => {
      expect(toHttpError(pgError(code))).toMatchObject({ status: 503, unexpected: false });
    },
  );

  it('answers connection failures with 503', () => {
    expect(
      toHttpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
        .status,
    ).toBe(503);
    expect(toHttpError(new Error('timeout exceeded when trying to connect')).status).toBe(503);
  });

  it.each([
    ['22003', 400],
    ['23502', 400],
    ['23514', 400],
    ['23505', 409],
  ])('answers PostgreSQL refusal %s with %i and no SQL', (code, status) => {
    const error = toHttpError(pgError(code, 'violates constraint "secret_internal_name"'));
    expect(error.status).toBe(status);
    expect(error.message).not.toMatch(/secret|constraint/);
  });

  it('hides everything else behind a generic 500', () => {
    const error = toHttpError(pgError('42P01', 'relation "secret" does not exist'));
    expect(error).toEqual({
      status: 500,
      message: 'Internal server error',
      errors: null,
      unexpected: true,
    });
    expect(toHttpError(new TypeError('x is undefined')).message).toBe('Internal server error');
    expect(toHttpError('a string').status).toBe(500);
  });
});
