import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH, MAX_KEY_LENGTH } from './cursor.js';

describe('keyset cursors', () => {
  it('carry a position of their scope, null keys included', () => {
    for (const position of [
      { key: '12.50', id: 7 },
      { key: null, id: 1 },
      { key: 'naïve ☃ "quoted"', id: 2 ** 40 },
    ]) {
      expect(
        decodeCursor('products:price:asc', encodeCursor('products:price:asc', position)),
      ).toEqual(position);
    }
  });

  it('fit MAX_CURSOR_LENGTH with the longest key, in the characters JSON escapes longest', () => {
    const key = '\u0001'.repeat(MAX_KEY_LENGTH);
    const cursor = encodeCursor('products:created_at:desc', { key, id: Number.MAX_SAFE_INTEGER });
    expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(decodeCursor('products:created_at:desc', cursor)?.key).toBe(key);
  });

  it('are refused for another scope, or when they are not a cursor at all', () => {
    const cursor = encodeCursor('products:price:asc', { key: '1', id: 1 });
    expect(decodeCursor('products:price:desc', cursor)).toBeUndefined();
    const forged = (value: unknown): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const text of [
      'not base64!',
      Buffer.from('not json').toString('base64url'),
      forged({ scope: 'orders' }),
      forged(['orders', 1, 1]),
      forged(['orders', 'x'.repeat(301), 1]),
      forged(['orders', 'x', 0]),
      forged(['orders', 'x', 1.5]),
      forged(['orders', 'x', '1']),
      forged(['orders', 'x', 1, 'extra']),
    ]) {
      expect(decodeCursor('orders', text), text).toBeUndefined();
    }
  });

  it('are refused with anything added or changed, even what the decoder would skip', () => {
    const cursor = encodeCursor('orders', { key: '1', id: 1 });
    expect(decodeCursor('orders', cursor)).toEqual({ key: '1', id: 1 });
    for (const text of [`${cursor}x`, `${cursor}xy`, `${cursor}=`, `x${cursor}`]) {
      expect(decodeCursor('orders', text), text).toBeUndefined();
    }
  });
});
