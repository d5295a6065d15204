import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { errSerializer, safeError } from './safe-error.js';

const queryFailed = (): QueryFailedError =>
  new QueryFailedError(
    'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
    ['victim@example.com', '$argon2id$secret-hash'],
    Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      detail: 'Key (email)=(victim@example.com) already exists.',
    }),
  );

describe('safeError', () => {
  it('keeps only name, message, SQLSTATE and stack of a failed query', () => {
    const safe = safeError(queryFailed());
    expect(Object.keys(safe).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(safe).toMatchObject({
      type: 'QueryFailedError',
      message: 'invalid byte sequence for encoding "UTF8": 0x00',
      code: '22021',
    });
    expect(JSON.stringify(safe)).not.toMatch(/victim|argon2|INSERT INTO/);
  });

  it('keeps a system error code, and says nothing of what is not an Error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      config: { password: 'x' },
    });
    expect(safeError(refused)).toMatchObject({ type: 'Error', code: 'ECONNREFUSED' });
    expect(safeError(refused)).not.toHaveProperty('config');
    expect(safeError({ parameters: ['secret'] })).toEqual({
      type: 'object',
      message: 'a non-Error was thrown',
    });
  });

  it("serialises pino's standard error shape from the error it carries", () => {
    const error = queryFailed();
    const standard = Object.defineProperty({ type: 'QueryFailedError', parameters: ['x'] }, 'raw', {
      value: error,
      enumerable: false,
    });
    expect(errSerializer(standard)).toEqual(safeError(error));
  });
});
