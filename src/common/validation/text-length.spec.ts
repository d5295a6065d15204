import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { charCount, Chars } from './text-length.js';

class Named {
  @Chars(1, 3, { message: 'name must be 1 to 3 characters' })
  name!: unknown;
}

const errorsOf = (name: unknown): string[] =>
  validateSync(Object.assign(new Named(), { name })).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );

describe('Chars', () => {
  it('counts code points, as PostgreSQL char_length does', () => {
    expect(charCount('abc')).toBe(3);
    expect(charCount('a\uFE0F')).toBe(2);
    expect(charCount('😀')).toBe(1);
    expect(charCount('')).toBe(0);
  });

  it('refuses what is too short or too long, variation selectors counted, and non-strings', () => {
    expect(errorsOf('abc')).toEqual([]);
    expect(errorsOf('😀😀😀')).toEqual([]);
    expect(errorsOf('a\uFE0Fa\uFE0F')).toEqual(['name must be 1 to 3 characters']);
    expect(errorsOf('')).toEqual(['name must be 1 to 3 characters']);
    expect(errorsOf(12)).toEqual(['name must be 1 to 3 characters']);
  });
});
