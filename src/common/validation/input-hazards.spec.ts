import { describe, expect, it } from 'vitest';
import { inputHazards } from './input-hazards.js';

describe('inputHazards', () => {
  it('passes ordinary input', () => {
    expect(inputHazards({ name: 'cup', items: [{ product_id: 1 }], note: null })).toBeNull();
    expect(inputHazards('42', 'id')).toBeNull();
    expect(inputHazards(undefined)).toBeNull();
  });

  it('names the field of a NUL character, however deep', () => {
    expect(inputHazards({ username: 'ad\u0000min' })).toEqual({
      username: 'username must not contain a NUL character',
    });
    expect(inputHazards({ items: [{ name: 'a' }, { name: '\u0000' }] })).toEqual({
      'items.1.name': 'items.1.name must not contain a NUL character',
    });
    expect(inputHazards({ search: ['ok', '\u0000'] })).toEqual({
      'search.1': 'search.1 must not contain a NUL character',
    });
    expect(inputHazards('1\u0000', 'id')).toEqual({ id: 'id must not contain a NUL character' });
  });

  it.each(['__proto__', 'constructor'])('refuses a %s key as an unknown field', (key) => {
    const body = JSON.parse(`{"a":{"${key}":{"role":"admin"}}}`) as unknown;
    expect(inputHazards(body)).toEqual({ [`a.${key}`]: `a.${key} is not an accepted field` });
    expect(inputHazards(JSON.parse(`{"${key}":1}`))).toEqual({
      [key]: `${key} is not an accepted field`,
    });
  });

  it('refuses a NUL character in a field name', () => {
    expect(inputHazards({ 'a\u0000': 1 })).toEqual({
      'a\u0000': 'a field name must not contain a NUL character',
    });
  });
});
