import { describe, expect, it } from 'vitest';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.js';

describe('the cache entry codec', () => {
  it.each<CachedAnswer>([
    { found: true, json: '{"id":1,"name":"Mug"}' },
    { found: true, json: '[]' },
    { found: true, json: '"M is a letter"' },
    { found: false, message: 'Product not found' },
    { found: false, message: '' },
  ])('decodes what it encoded: %j', (answer) => {
    expect(decodeAnswer(encodeAnswer(answer))).toEqual(answer);
  });

  it('keeps data as the very text it was given', () => {
    const json = '{"price":0.3,"name":"\\u00e9"}';
    const decoded = decodeAnswer(encodeAnswer({ found: true, json }));
    expect(decoded.found && decoded.json).toBe(json);
  });
});
