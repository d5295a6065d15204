import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Characters as PostgreSQL counts them (char_length: code points). class-validator's Length
 * does not count the variation selectors U+FE0E/U+FE0F, so 5000 × "a\uFE0F" passed a 5000 limit
 * as 5000 characters while the column holds 10,000.
 */
export const charCount = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/** A string of `min` to `max` characters, counted as PostgreSQL counts them. */
export const Chars = (min: number, max: number, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'chars',
      constraints: [min, max],
      validator: {
        validate: (value: unknown): boolean => {
          if (typeof value !== 'string') return false;
          const count = charCount(value);
          return count >= min && count <= max;
        },
        defaultMessage: () => `$property must be ${min} to ${max} characters`,
      },
    },
    options,
  );
