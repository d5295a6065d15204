import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors/domain-error.js';
import { ParseIdPipe } from './parse-id.pipe.js';

const pipe = new ParseIdPipe();
const parse = (value: string) => pipe.transform(value, { type: 'param', data: 'id' });

describe('ParseIdPipe', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['9007199254740991', 9007199254740991],
  ])('accepts %s', (value, id) => {
    expect(parse(value)).toBe(id);
  });

  it.each([
    '0',
    '-1',
    '01',
    '1.5',
    '1e3',
    'abc',
    '',
    ' 1',
    '0x10',
    '9007199254740993',
    '99999999999999999',
  ])('rejects %j with a field error', (value) => {
    expect(() => parse(value)).toThrow(DomainError);
    try {
      parse(value);
    } catch (error) {
      expect((error as DomainError).errors).toEqual({ id: 'id must be a positive integer' });
    }
  });
});
