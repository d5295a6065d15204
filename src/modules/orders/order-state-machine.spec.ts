import { describe, expect, it } from 'vitest';
import {
  cancelReason,
  ORDER_STATE_MACHINE,
  permission,
  type Actor,
} from './order-state-machine.js';

const owner: Actor = { kind: 'user', id: 1, role: 'customer', email: 'owner@x.io' };
const stranger: Actor = { kind: 'user', id: 2, role: 'customer', email: 'stranger@x.io' };
const admin: Actor = { kind: 'user', id: 3, role: 'admin', email: 'admin@x.io' };
const adminOwner: Actor = { kind: 'user', id: 1, role: 'admin', email: 'owner@x.io' };
const system: Actor = { kind: 'system' };
const provider: Actor = { kind: 'payment_provider', provider: 'stripe' };

describe('order state machine', () => {
  it('follows pending -> paid -> shipped -> completed, and cancels from pending or paid', () => {
    expect(ORDER_STATE_MACHINE.pay).toMatchObject({ from: ['pending'], to: 'paid' });
    expect(ORDER_STATE_MACHINE.ship).toMatchObject({ from: ['paid'], to: 'shipped' });
    expect(ORDER_STATE_MACHINE.complete).toMatchObject({ from: ['shipped'], to: 'completed' });
    expect(ORDER_STATE_MACHINE.cancel).toMatchObject({
      from: ['pending', 'paid'],
      to: 'cancelled',
    });
  });

  it('lets the payment timeout cancel only a pending order past its deadline', () => {
    expect(ORDER_STATE_MACHINE.expire).toMatchObject({
      from: ['pending'],
      to: 'cancelled',
      allowed: ['system'],
      deadline: 'after',
      effect: 'restore_stock',
    });
  });

  it('lets only a payment provider confirm a payment, which pays a pending order like pay', () => {
    // Past the deadline too: the customer paid at the provider while the order was payable.
    expect(ORDER_STATE_MACHINE.confirm_payment).toEqual({
      ...ORDER_STATE_MACHINE.pay,
      allowed: ['payment_provider'],
      deadline: undefined,
    });
    expect(ORDER_STATE_MACHINE.pay.deadline).toBe('before');
    expect(permission('confirm_payment', provider, 1)).toBe('allowed');
    for (const actor of [owner, admin, system]) {
      expect(permission('confirm_payment', actor, 1)).toBe('forbidden');
    }
    expect(permission('confirm_payment', stranger, 1)).toBe('hidden');
    for (const transition of ['pay', 'cancel', 'expire', 'ship', 'complete'] as const) {
      expect(permission(transition, provider, 1)).toBe('forbidden');
    }
    expect(cancelReason('confirm_payment', provider, 1)).toBeUndefined();
  });

  it('never leaves a final state', () => {
    for (const rule of Object.values(ORDER_STATE_MACHINE)) {
      expect(rule.from).not.toContain('completed');
      expect(rule.from).not.toContain('cancelled');
    }
  });

  it.each([
    ['pay', owner, 'allowed'],
    ['pay', stranger, 'hidden'],
    ['pay', admin, 'forbidden'],
    ['pay', system, 'forbidden'],
    ['cancel', owner, 'allowed'],
    ['cancel', admin, 'allowed'],
    ['cancel', stranger, 'hidden'],
    ['cancel', system, 'forbidden'],
    ['expire', system, 'allowed'],
    ['expire', owner, 'forbidden'],
    ['expire', admin, 'forbidden'],
    ['ship', admin, 'allowed'],
    ['ship', owner, 'forbidden'],
    ['ship', stranger, 'hidden'],
    ['complete', admin, 'allowed'],
    ['complete', adminOwner, 'allowed'],
  ] as const)('%s by %j is %s', (transition, actor, expected) => {
    expect(permission(transition, actor, 1)).toBe(expected);
  });

  it('records who cancelled', () => {
    expect(cancelReason('cancel', owner, 1)).toBe('user');
    expect(cancelReason('cancel', adminOwner, 1)).toBe('user');
    expect(cancelReason('cancel', admin, 1)).toBe('admin');
    expect(cancelReason('expire', system, 1)).toBe('payment_timeout');
    expect(cancelReason('pay', owner, 1)).toBeUndefined();
  });
});
