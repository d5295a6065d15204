import { describe, expect, it } from 'vitest';
import { jitter } from './response-cache.js';

describe('jitter', () => {
  it('keeps a lifetime within ±10% and in milliseconds', () => {
    const values = Array.from({ length: 1000 }, () => jitter(300));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(270_000);
    expect(Math.max(...values)).toBeLessThanOrEqual(330_000);
    expect(new Set(values).size).toBeGreaterThan(100);
  });
});
