import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { forbidden, validationFailed, type FieldErrors } from '../../common/errors/domain-error.js';
import { ADMIN_ORDER_FILTERS, type OrderListQueryDto } from './dto/order-query.dto.js';
import type { OrderStatus } from './order.entity.js';

/** Which orders a list shows, as decided for the caller; the repository only carries it out. */
export interface OrderListFilter {
  /** Undefined: every customer's (an admin without user_id). */
  userId?: number;
  status?: OrderStatus;
  /** created_at >= createdFrom and < createdBefore (the day after created_to, 00:00 UTC). */
  createdFrom?: Date;
  createdBefore?: Date;
  /** total_amount bounds as exact decimal text. */
  minTotal?: string;
  maxTotal?: string;
}

const DAY_MS = 86_400_000;

/** A YYYY-MM-DD that is a real calendar day, as its UTC midnight; undefined otherwise. */
const utcDay = (text: string): Date | undefined => {
  const day = new Date(`${text}T00:00:00.000Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text) ? day : undefined;
};

/**
 * GET /api/orders: a customer sees their own orders, filtered by status only; a customer
 * passing an admin filter is refused (403), as user_id always was. An admin sees every order,
 * or one user's, within inclusive UTC days and inclusive totals.
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
  const from = query.created_from === undefined ? undefined : utcDay(query.created_from);
  const to = query.created_to === undefined ? undefined : utcDay(query.created_to);
  if (query.created_from !== undefined && !from) {
    errors.created_from = 'created_from must be a real calendar day';
  }
  if (query.created_to !== undefined && !to) {
    errors.created_to = 'created_to must be a real calendar day';
  }
  if (from && to && from > to) errors.created_from = 'created_from must not be after created_to';
  const { min_total: min, max_total: max } = query;
  if (min !== undefined && max !== undefined && min > max) {
    errors.min_total = 'min_total must not be greater than max_total';
  }
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  return {
    userId: query.user_id,
    status: query.status,
    createdFrom: from,
    createdBefore: to && new Date(to.getTime() + DAY_MS),
    minTotal: min?.toFixed(2),
    maxTotal: max?.toFixed(2),
  };
}
