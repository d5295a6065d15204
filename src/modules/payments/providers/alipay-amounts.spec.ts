import { describe, expect, it } from 'vitest';
import { fromCents } from '../../../common/money.js';
import { fenOf } from './alipay.provider.js';

describe("Alipay's total_amount", () => {
  it('is yuan with two decimals, from integer fen without floating point', () => {
    expect([1, 30, 2500, 100_000_001, 999_999_999_999].map(fromCents)).toEqual([
      '0.01',
      '0.30',
      '25.00',
      '1000000.01',
      '9999999999.99',
    ]);
  });

  it('reads back into fen, refusing what is not a yuan amount', () => {
    expect(['0.01', '0.3', '25.00', '25', '9999999999.99'].map(fenOf)).toEqual([
      1, 30, 2500, 2500, 999_999_999_999,
    ]);
    for (const bad of [
      null,
      '',
      '-1.00',
      '25.000',
      '1e3',
      ' 25.00',
      '25,00',
      '0x10',
      '12345678901.00',
    ]) {
      expect(fenOf(bad)).toBeNull();
    }
  });
});
