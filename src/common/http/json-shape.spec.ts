import { describe, expect, it } from 'vitest';
import { jsonShapeViolation, type JsonShapeLimits } from './json-shape.js';

const roomy: JsonShapeLimits = {
  maxKeys: 1_000_000,
  maxArrayItems: 1_000_000,
  maxDepth: 1_000_000,
};
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const scan = (value: unknown, limits: Partial<JsonShapeLimits>): string | undefined =>
  jsonShapeViolation(bytes(JSON.stringify(value)), { ...roomy, ...limits });

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

describe('jsonShapeViolation: depth', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(scan(1, { maxDepth: 0 })).toBeUndefined();
    expect(scan('text', { maxDepth: 0 })).toBeUndefined();
    expect(scan(null, { maxDepth: 0 })).toBeUndefined();
    expect(scan({}, { maxDepth: 1 })).toBeUndefined();
    expect(scan({}, { maxDepth: 0 })).toMatch(/deeper than 0 levels/);
    expect(scan(nested(32), { maxDepth: 32 })).toBeUndefined();
    expect(scan(nested(33), { maxDepth: 32 })).toMatch(/deeper than 32 levels/);
  });

  it('finds the deep branch among shallow ones, and survives depths that would overflow recursion', () => {
    expect(scan({ a: 1, b: [2, 3], c: { d: nested(40) } }, { maxDepth: 32 })).toMatch(/deeper/);
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(jsonShapeViolation(bytes(deep), { ...roomy, maxDepth: 32 })).toMatch(/deeper/);
  });
});

describe('jsonShapeViolation: object keys in all', () => {
  it('counts the keys of every object, nested ones and those inside arrays included', () => {
    const body = { a: 1, b: { c: 2, d: [{ e: 3 }, { f: 4, g: 5 }] } };
    expect(scan(body, { maxKeys: 7 })).toBeUndefined();
    expect(scan(body, { maxKeys: 6 })).toBe('JSON body has more than 6 object keys');
  });

  it('does not count colons, braces, commas or escaped quotes inside strings', () => {
    const body = { 'a:b': 'x:{"y":[1,2]}\\":', c: '\u00e9:\u{1F600},' };
    expect(scan(body, { maxKeys: 2, maxArrayItems: 0, maxDepth: 1 })).toBeUndefined();
  });

  it('stops at the first key too many, however large the body', () => {
    const keys = Array.from({ length: 128_000 }, (_, i) => `"${i.toString(36)}":0`).join(',');
    const text = `{${keys}}`;
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(jsonShapeViolation(bytes(text), { ...roomy, maxKeys: 1000 })).toBe(
      'JSON body has more than 1000 object keys',
    );
    expect(jsonShapeViolation(bytes(text), { ...roomy, maxKeys: 128_000 })).toBeUndefined();
  });
});

describe('jsonShapeViolation: array elements in all', () => {
  it('counts elements of every array, empty arrays as none and nested arrays as elements', () => {
    expect(scan([], { maxArrayItems: 0 })).toBeUndefined();
    expect(scan({ a: [], b: [[]] }, { maxArrayItems: 1 })).toBeUndefined();
    expect(scan({ a: [], b: [[]] }, { maxArrayItems: 0 })).toMatch(/more than 0 array elements/);
    const body = { ids: [1, 2, 3], more: [[4, 5], { x: [6] }] };
    // 3 ids, 2 in `more`, 2 in [4, 5], 1 in x
    expect(scan(body, { maxArrayItems: 8 })).toBeUndefined();
    expect(scan(body, { maxArrayItems: 7 })).toBe('JSON body has more than 7 array elements');
  });

  it('does not count the commas between object keys, or whitespace as an element', () => {
    expect(scan({ a: 1, b: 2, c: 3 }, { maxArrayItems: 0 })).toBeUndefined();
    expect(jsonShapeViolation(bytes('[ \n\t ]'), { ...roomy, maxArrayItems: 0 })).toBeUndefined();
    expect(jsonShapeViolation(bytes('[ 1 , 2 ]'), { ...roomy, maxArrayItems: 2 })).toBeUndefined();
  });

  it('stops at the first element too many of a 500,000-element array', () => {
    const text = `{"ids":[${new Array(500_000).fill(0).join(',')}]}`;
    expect(jsonShapeViolation(bytes(text), { ...roomy, maxArrayItems: 1000 })).toBe(
      'JSON body has more than 1000 array elements',
    );
  });
});
