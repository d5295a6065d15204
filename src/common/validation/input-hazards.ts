import { fieldLabel, type FieldErrors } from '../errors/domain-error.js';

/**
 * Keys that name the prototype machinery, not data. JSON.parse makes them ordinary own keys, and
 * class-transformer then drops them silently; no DTO declares them, so they are unknown fields.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor']);
const NUL = '\u0000';

const join = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

/**
 * The first NUL character or prototype key anywhere in a parsed input (body, query or path
 * parameter), as a field error; null when there is none. PostgreSQL cannot store NUL in text
 * (it would fail the statement as a 500), so it is refused with the field's name before any
 * query. Iterative, one visit per value: its cost is the size of the input.
 */
export function inputHazards(value: unknown, root = ''): FieldErrors | null {
  const stack: [unknown, string][] = [[value, root]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [current, path] = next;
    if (typeof current === 'string') {
      if (current.includes(NUL)) {
        const field = fieldLabel(path || 'body');
        return { [field]: `${field} must not contain a NUL character` };
      }
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) stack.push([current[i], join(path, String(i))]);
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      const field = join(path, key);
      const label = fieldLabel(field);
      if (PROTOTYPE_KEYS.has(key)) return { [label]: `${label} is not an accepted field` };
      if (key.includes(NUL)) return { [label]: 'a field name must not contain a NUL character' };
      stack.push([child, field]);
    }
  }
  return null;
}
