import { describe, expect, it } from 'vitest';
import { ratingHundredths } from './product-ratings.js';

describe('ratingHundredths', () => {
  it.each([
    [{ sum: 0, count: 0 }, null],
    [{ sum: 5, count: 1 }, 500],
    [{ sum: 13, count: 3 }, 433],
    [{ sum: 14, count: 3 }, 467],
    [{ sum: 9, count: 2 }, 450],
    [{ sum: 33, count: 8 }, 413],
    [{ sum: 20, count: 20 }, 100],
    [{ sum: 61, count: 20 }, 305],
  ])('is the mean of %j in hundredths, rounded half up: %s', (totals, expected) => {
    expect(ratingHundredths(totals)).toBe(expected);
  });

  it('equals the decimal mean rounded to two places for every small total', () => {
    for (let count = 1; count <= 60; count++) {
      for (let sum = count; sum <= 5 * count; sum++) {
        // Long division: the hundredths, then up when the remainder is at least half.
        const whole = Math.trunc((sum * 100) / count);
        const remainder = (sum * 100) % count;
        const expected = 2 * remainder >= count ? whole + 1 : whole;
        expect(ratingHundredths({ sum, count }), `${sum}/${count}`).toBe(expected);
      }
    }
  });
});
