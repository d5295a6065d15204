import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-body.middleware.js';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds('text', 0)).toBe(false);
    expect(jsonDepthExceeds(null, 0)).toBe(false);
    expect(jsonDepthExceeds({}, 1)).toBe(false);
    expect(jsonDepthExceeds({}, 0)).toBe(true);
    expect(jsonDepthExceeds(nested(32), 32)).toBe(false);
    expect(jsonDepthExceeds(nested(33), 32)).toBe(true);
  });

  it('finds the deep branch among shallow ones, and survives depths that would overflow recursion', () => {
    expect(jsonDepthExceeds({ a: 1, b: [2, 3], c: { d: nested(40) } }, 32)).toBe(true);
    expect(jsonDepthExceeds(nested(200_000), 32)).toBe(true);
  });
});
