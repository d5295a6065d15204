import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { replicaReadFailure } from './pg-errors.js';

const refused = (code: string): QueryFailedError => {
  const error = new pg.DatabaseError('refused', 0, 'error');
  error.code = code;
  return new QueryFailedError('SELECT 1', [], error);
};

describe('replicaReadFailure', () => {
  it('calls a connection that could not be had, or was lost, a connection failure', () => {
    expect(replicaReadFailure(new Error('timeout exceeded when trying to connect'))).toBe(
      'connection',
    );
    expect(replicaReadFailure(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(
      'connection',
    );
    expect(
      replicaReadFailure(
        new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')),
      ),
    ).toBe('connection');
    for (const code of ['57P01', '57P03', '08006', '53300']) {
      expect(replicaReadFailure(refused(code))).toBe('connection');
    }
  });

  it('calls a query cancelled by replay a conflict, which the primary answers instead', () => {
    expect(replicaReadFailure(refused('40001'))).toBe('conflict');
  });

  it('leaves what would fail on the primary too (a timeout, a bad value) to fail', () => {
    for (const code of ['57014', '22P02', '42P01'])
      expect(replicaReadFailure(refused(code))).toBeUndefined();
  });
});
