import { describe, expect, it } from 'vitest';
import { likePattern } from './products.repository.js';

describe('likePattern', () => {
  it.each([
    ['cup', '%cup%'],
    ['100%', '%100\\%%'],
    ['a_b', '%a\\_b%'],
    ['back\\slash', '%back\\\\slash%'],
    ['%_\\', '%\\%\\_\\\\%'],
  ])('makes %j a literal substring pattern', (text, pattern) => {
    expect(likePattern(text)).toBe(pattern);
  });
});
