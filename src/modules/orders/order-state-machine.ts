import type { UserRole } from '../../common/auth/roles.js';
import type { CancelReason, OrderStatus } from './order.entity.js';

export const ORDER_TRANSITIONS = [
  'pay',
  'confirm_payment',
  'ship',
  'complete',
  'cancel',
  'expire',
] as const;
export type OrderTransition = (typeof ORDER_TRANSITIONS)[number];

/**
 * Who asks: a signed-in user (owner of the order or not), the system (payment timeout), or a
 * payment provider whose verified notification (or look-up) says the customer paid.
 */
export type Actor =
  | { kind: 'user'; id: number; role: UserRole; email: string }
  | { kind: 'system' }
  | { kind: 'payment_provider'; provider: string };

type Allowed = 'owner' | 'admin' | 'owner_or_admin' | 'system' | 'payment_provider';

interface TransitionRule {
  from: readonly OrderStatus[];
  to: OrderStatus;
  /** Who may ask for it. */
  allowed: readonly Allowed[];
  /** What the transition does beyond the status, in the same transaction. */
  effect: 'add_sales' | 'restore_stock' | 'none';
  /** Only before the order's payment deadline (expires_at), or only once it has passed. */
  deadline?: 'before' | 'after';
}

/**
 * Every order status change, in one place. The service applies a rule as one conditional
 * UPDATE ... WHERE status = <the status the request saw>: of two racing transitions exactly one
 * changes the row and the other is refused (409), even where both would be allowed one after
 * the other (a cancel that raced a payment does not cancel the order it just paid for).
 */
export const ORDER_STATE_MACHINE: Record<OrderTransition, TransitionRule> = {
  /**
   * The owner pays at once (the fake provider's instant pay, POST /api/orders/:id/pay), like a
   * payment started at a provider: only before the deadline.
   */
  pay: {
    from: ['pending'],
    to: 'paid',
    allowed: ['owner'],
    effect: 'add_sales',
    deadline: 'before',
  },
  /**
   * A provider confirmed the customer's payment. Only a pending order is paid: a success for
   * one cancelled, expired or paid already is refunded instead (the payments module). Past the
   * deadline too, while the order is still pending: the customer paid in time at the provider.
   */
  confirm_payment: {
    from: ['pending'],
    to: 'paid',
    allowed: ['payment_provider'],
    effect: 'add_sales',
  },
  ship: { from: ['paid'], to: 'shipped', allowed: ['admin'], effect: 'none' },
  complete: { from: ['shipped'], to: 'completed', allowed: ['admin'], effect: 'none' },
  cancel: {
    from: ['pending', 'paid'],
    to: 'cancelled',
    allowed: ['owner_or_admin'],
    effect: 'restore_stock',
  },
  /** The payment timeout: never touches an order that was paid or cancelled in time. */
  expire: {
    from: ['pending'],
    to: 'cancelled',
    allowed: ['system'],
    effect: 'restore_stock',
    deadline: 'after',
  },
};

export type Permission = 'allowed' | 'hidden' | 'forbidden';

/**
 * May this actor ask for this transition on an order owned by `ownerId`? A customer never
 * learns that someone else's order exists ("hidden" answers 404); an admin is told no (403).
 */
export function permission(transition: OrderTransition, actor: Actor, ownerId: number): Permission {
  const { allowed } = ORDER_STATE_MACHINE[transition];
  if (actor.kind !== 'user') return allowed.includes(actor.kind) ? 'allowed' : 'forbidden';
  const owner = actor.id === ownerId;
  const admin = actor.role === 'admin';
  const ok =
    (owner && (allowed.includes('owner') || allowed.includes('owner_or_admin'))) ||
    (admin && (allowed.includes('admin') || allowed.includes('owner_or_admin')));
  if (ok) return 'allowed';
  return owner || admin ? 'forbidden' : 'hidden';
}

/** Why an order was cancelled: by its owner, by an admin, or by the payment timeout. */
export function cancelReason(
  transition: OrderTransition,
  actor: Actor,
  ownerId: number,
): CancelReason | undefined {
  if (transition === 'expire') return 'payment_timeout';
  if (transition !== 'cancel' || actor.kind !== 'user') return undefined;
  return actor.id === ownerId ? 'user' : 'admin';
}
