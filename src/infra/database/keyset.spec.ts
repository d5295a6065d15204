import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { after, keyText, orderBy, type KeysetOrder } from './keyset.js';

const collect = (): { params: unknown[]; param: (value: unknown) => string } => {
  const params: unknown[] = [];
  return { params, param: (value) => `$${params.push(value)}` };
};

const RATING: KeysetOrder = {
  column: 'p.rating',
  kind: 'integer',
  direction: 'desc',
  nullable: true,
  id: 'p.id',
};
const CREATED: KeysetOrder = {
  column: 'created_at',
  kind: 'timestamp',
  direction: 'asc',
  id: 'id',
};

describe('keyset SQL', () => {
  it('seeks past a position by row value, nulls last for a nullable column', () => {
    const { params, param } = collect();
    expect(after(RATING, { key: '450', id: 9 }, param)).toBe(
      '((p.rating, p.id) < ($1::bigint, $2) OR p.rating IS NULL)',
    );
    expect(after(RATING, { key: null, id: 9 }, param)).toBe('(p.rating IS NULL AND p.id < $3)');
    expect(params).toEqual(['450', 9, 9]);
    expect(orderBy(RATING)).toBe('p.rating DESC NULLS LAST, p.id DESC');
  });

  it('carries timestamps as whole microseconds, so keys are exact', () => {
    const { param } = collect();
    expect(keyText(CREATED)).toBe('(extract(epoch from created_at) * 1000000)::bigint::text');
    expect(after(CREATED, { key: '1764600000123456', id: 3 }, param)).toBe(
      "(created_at, id) > (('epoch'::timestamptz + $1::bigint * interval '1 microsecond'), $2)",
    );
  });

  it('refuses a key not of the column form, and a null key for a column that has none', () => {
    const { param } = collect();
    for (const [order, key] of [
      [CREATED, 'yesterday'],
      [CREATED, '1e9'],
      [RATING, '4.5'],
      [{ ...RATING, kind: 'decimal' } as KeysetOrder, '1.2.3'],
      [CREATED, null],
    ] as const) {
      expect(() => after(order, { key, id: 1 }, param)).toThrow(DomainError);
    }
  });
});
