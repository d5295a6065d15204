import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { fingerprint, parseIdempotencyKey } from './idempotency.js';

describe('fingerprint', () => {
  it('ignores object key order', () => {
    expect(fingerprint({ items: [{ product_id: 1, quantity: 2 }] })).toBe(
      fingerprint({ items: [{ quantity: 2, product_id: 1 }] }),
    );
  });

  it('tells different bodies apart, item order included', () => {
    const a = {
      items: [
        { product_id: 1, quantity: 2 },
        { product_id: 2, quantity: 1 },
      ],
    };
    const b = {
      items: [
        { product_id: 1, quantity: 3 },
        { product_id: 2, quantity: 1 },
      ],
    };
    const c = {
      items: [
        { product_id: 2, quantity: 1 },
        { product_id: 1, quantity: 2 },
      ],
    };
    expect(new Set([fingerprint(a), fingerprint(b), fingerprint(c)]).size).toBe(3);
  });
});

describe('parseIdempotencyKey', () => {
  const pipe = { transform: parseIdempotencyKey };

  it('accepts no key and keys of 1 to 255 visible characters', () => {
    expect(pipe.transform(undefined)).toBeUndefined();
    expect(pipe.transform('a')).toBe('a');
    expect(pipe.transform('k'.repeat(255))).toBe('k'.repeat(255));
    expect(pipe.transform('9f1c-2b:order/1')).toBe('9f1c-2b:order/1');
  });

  it.each(['', 'k'.repeat(256), 'has space', 'tab\there', 'ünïcode'])('refuses %j', (key) => {
    expect(() => pipe.transform(key)).toThrow(DomainError);
  });
});
