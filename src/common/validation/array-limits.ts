import { ARRAY_MAX_SIZE, getMetadataStorage } from 'class-validator';
import type { FieldErrors } from '../errors/domain-error.js';

interface ArrayLimit {
  property: string;
  max: number;
  message: string;
}

const limitsByClass = new WeakMap<object, readonly ArrayLimit[]>();

/**
 * The @ArrayMaxSize limits a DTO class declares (inherited ones included), read once from
 * class-validator's own metadata: the decorator stays the one place a route's array bound is
 * written.
 */
function arrayLimitsOf(dto: abstract new (...args: never[]) => unknown): readonly ArrayLimit[] {
  const known = limitsByClass.get(dto);
  if (known) return known;
  const limits = getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .flatMap((metadata): ArrayLimit[] => {
      const max: unknown = (metadata.constraints as unknown[] | undefined)?.[0];
      if (metadata.name !== ARRAY_MAX_SIZE || metadata.each || typeof max !== 'number') return [];
      const property = metadata.propertyName;
      const message =
        typeof metadata.message === 'string'
          ? metadata.message
          : `${property} must contain at most ${max} elements`;
      return [{ property, max, message }];
    });
  limitsByClass.set(dto, limits);
  return limits;
}

/**
 * The first array of the input longer than its DTO allows, as a field error; null when none is.
 * Checked before validation, which would otherwise walk every element of the array first.
 */
export function arrayLimitErrors(
  dto: abstract new (...args: never[]) => unknown,
  value: unknown,
): FieldErrors | null {
  if (value === null || typeof value !== 'object') return null;
  for (const { property, max, message } of arrayLimitsOf(dto)) {
    const field: unknown = (value as Record<string, unknown>)[property];
    if (Array.isArray(field) && field.length > max) return { [property]: message };
  }
  return null;
}
