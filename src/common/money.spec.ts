import { describe, expect, it } from 'vitest';
import { fromCents, toCents, toJsonNumber } from './money.js';

describe('money', () => {
  it.each([
    ['0.10', 10],
    ['12.5', 1250],
    ['12.50', 1250],
    ['7', 700],
    ['9999999999.99', 999_999_999_999],
    ['-1.05', -105],
  ])('reads %s as %i cents', (text, cents) => {
    expect(toCents(text)).toBe(cents);
  });

  it.each(['1.234', 'abc', '', '1e3', '.5'])('refuses %j', (text) => {
    expect(() => toCents(text)).toThrow();
  });

  it('writes cents as exact decimal text', () => {
    expect(fromCents(30)).toBe('0.30');
    expect(fromCents(5)).toBe('0.05');
    expect(fromCents(123456)).toBe('1234.56');
    expect(fromCents(-105)).toBe('-1.05');
    expect(() => fromCents(0.5)).toThrow();
  });

  it('adds three times 0.10 to exactly 0.3', () => {
    const total = fromCents(3 * toCents('0.10'));
    expect(total).toBe('0.30');
    expect(toJsonNumber(total)).toBe(0.3);
    expect(JSON.stringify({ total: toJsonNumber(total) })).toBe('{"total":0.3}');
  });
});
