import { validationFailed } from '../../common/errors/domain-error.js';
import type { Position } from '../../common/paging/cursor.js';

/** How a sort column's value travels in a cursor as exact text. */
export type KeyKind = 'integer' | 'decimal' | 'text' | 'timestamp';

/** A list's order: one column, then the id in the same direction, so the order is total. */
export interface KeysetOrder {
  column: string;
  kind: KeyKind;
  direction: 'asc' | 'desc';
  /** A nullable column, its nulls last in either direction. */
  nullable?: boolean;
  id: string;
}

const KEY_FORMS: Record<KeyKind, RegExp> = {
  integer: /^-?\d{1,18}$/,
  decimal: /^-?\d{1,15}(\.\d{1,6})?$/,
  text: /^[^\0]*$/,
  // Microseconds since the epoch: a timestamp's own precision, so no two rows' keys collide.
  timestamp: /^-?\d{1,17}$/,
};

/** The sort value as the exact text a cursor carries, for the SELECT list. */
export function keyText(order: KeysetOrder): string {
  const { column, kind } = order;
  if (kind === 'timestamp') return `(extract(epoch from ${column}) * 1000000)::bigint::text`;
  return kind === 'text' ? column : `${column}::text`;
}

const keyValue = (kind: KeyKind, placeholder: string): string =>
  kind === 'timestamp'
    ? `('epoch'::timestamptz + ${placeholder}::bigint * interval '1 microsecond')`
    : `${placeholder}::${kind === 'decimal' ? 'numeric' : kind === 'integer' ? 'bigint' : 'text'}`;

export function orderBy(order: KeysetOrder): string {
  const dir = order.direction === 'asc' ? 'ASC' : 'DESC';
  return `${order.column} ${dir}${order.nullable ? ' NULLS LAST' : ''}, ${order.id} ${dir}`;
}

/**
 * The rows after `position` in `order`, as a condition on row values that the (column, id)
 * index answers by seeking: its cost does not grow with depth. A key that is not of the
 * column's form is the client's bad cursor (400), never a failed cast.
 */
export function after(
  order: KeysetOrder,
  position: Position,
  param: (value: unknown) => string,
): string {
  const { column, id, kind } = order;
  const cmp = order.direction === 'asc' ? '>' : '<';
  if (position.key === null) {
    if (!order.nullable) throw validationFailed({ cursor: 'cursor is not a cursor of this list' });
    return `(${column} IS NULL AND ${id} ${cmp} ${param(position.id)})`;
  }
  if (!KEY_FORMS[kind].test(position.key)) {
    throw validationFailed({ cursor: 'cursor is not a cursor of this list' });
  }
  const tuple = `(${column}, ${id}) ${cmp} (${keyValue(kind, param(position.key))}, ${param(position.id)})`;
  return order.nullable ? `(${tuple} OR ${column} IS NULL)` : tuple;
}
