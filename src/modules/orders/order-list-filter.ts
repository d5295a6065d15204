import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { forbidden, validationFailed, type FieldErrors } from '../../common/errors/domain-error.js';
import { parseIsoDate } from '../../common/validation/iso-date.js';
import { ADMIN_ORDER_FILTERS, type OrderListQueryDto } from './dto/order-query.dto.js';
import type { OrderStatus } from './order.entity.js';

/** Which orders a list shows, as decided for the caller; the repository only carries it out. */
export interface OrderListFilter {
  /** Undefined: every customer's (an admin without user_id). */
  userId?: number;
  status?: OrderStatus;
  /**
   * created_at >= createdFrom and < createdBefore (the day after a created_to day, 00:00 UTC, or
   * a millisecond after a created_to instant: times are kept to the millisecond).
   */
  createdFrom?: Date;
  createdBefore?: Date;
  /** total_amount bounds as exact decimal text. */
  minTotal?: string;
  maxTotal?: string;
}

const DAY_MS = 86_400_000;

/** Where an inclusive created_to ends: the whole of a day, or just its instant. */
const endAfter = (to: string): Date | undefined => {
  const parsed = parseIsoDate(to);
  if (!parsed) return undefined;
  return new Date(parsed.at.getTime() + (parsed.dateOnly ? DAY_MS : 1));
};

/**
 * GET /api/orders: a customer sees their own orders, filtered by status only; a customer
 * passing an admin filter is refused (403), as user_id always was. An admin sees every order,
 * or one user's, within inclusive UTC days (or instants, given date-times) and inclusive totals.
 */
export function orderListFilter(caller: AuthUser, query: OrderListQueryDto): OrderListFilter {
  if (caller.role !== 'admin') {
    const used = ADMIN_ORDER_FILTERS.filter((name) => query[name] !== undefined);
    if (used.length > 0) {
      throw forbidden(`Only administrators may filter orders by ${used.join(', ')}`);
    }
    return { userId: caller.id, status: query.status };
  }
  const errors: FieldErrors = {};
  const from = query.created_from === undefined ? undefined : parseIsoDate(query.created_from)?.at;
  const before = query.created_to === undefined ? undefined : endAfter(query.created_to);
  if (query.created_from !== undefined && !from) {
    errors.created_from = 'created_from is not a real calendar date or time';
  }
  if (query.created_to !== undefined && !before) {
    errors.created_to = 'created_to is not a real calendar date or time';
  }
  if (from && before && from >= before) {
    errors.created_from = 'created_from must not be after created_to';
  }
  const { min_total: min, max_total: max } = query;
  if (min !== undefined && max !== undefined && min > max) {
    errors.min_total = 'min_total must not be greater than max_total';
  }
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  return {
    userId: query.user_id,
    status: query.status,
    createdFrom: from,
    createdBefore: before,
    minTotal: min?.toFixed(2),
    maxTotal: max?.toFixed(2),
  };
}
