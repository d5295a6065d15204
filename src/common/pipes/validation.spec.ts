import type { ValidationError } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { toFieldErrors } from './validation.js';

const error = (
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError => ({
  property,
  constraints,
  children,
});

describe('toFieldErrors', () => {
  it('maps each field to its first message', () => {
    expect(
      toFieldErrors([
        error('price', { isPositive: 'price must be a positive number', isNumber: 'x' }),
      ]),
    ).toEqual({ price: 'price must be a positive number' });
  });

  it('names unknown fields plainly', () => {
    expect(
      toFieldErrors([error('role', { whitelistValidation: 'property role should not exist' })]),
    ).toEqual({
      role: 'role is not an accepted field',
    });
  });

  it('names an unknown field by its first 63 characters at most, whatever its length', () => {
    const name = 'k'.repeat(100_000);
    const fields = toFieldErrors([error(name, { whitelistValidation: 'x' })]);
    const label = `${'k'.repeat(63)}…`;
    expect(fields).toEqual({ [label]: `${label} is not an accepted field` });
  });

  it('flattens nested array items into dotted paths', () => {
    const nested = error('items', undefined, [
      error('0', undefined, [error('quantity', { max: 'quantity must not be greater than 1000' })]),
    ]);
    expect(toFieldErrors([nested])).toEqual({
      'items.0.quantity': 'quantity must not be greater than 1000',
    });
  });
});
