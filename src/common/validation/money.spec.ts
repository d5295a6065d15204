import { describe, expect, it } from 'vitest';
import { isMoneyAmount } from './money.js';

describe('isMoneyAmount', () => {
  it('takes numbers with at most two decimals', () => {
    for (const value of [0, 1, 0.5, 0.07, 9.99, 19.9, 1_000_000, -3.25]) {
      expect(isMoneyAmount(value), String(value)).toBe(true);
    }
  });

  it('refuses more decimals, exponent-printed fractions and what is not a finite number', () => {
    for (const value of [0.001, 1.005, 0.1 + 0.2, 1e-7, 5e-324, -1e-10, 1.5e-7, NaN, Infinity]) {
      expect(isMoneyAmount(value), String(value)).toBe(false);
    }
    for (const value of ['9.99', null, undefined, {}, [1]]) {
      expect(isMoneyAmount(value)).toBe(false);
    }
  });
});
