import { describe, expect, it } from 'vitest';
import {
  EVENT_TRANSITION,
  PAYMENT_STATE_MACHINE,
  PAYMENT_STATUSES,
  type PaymentStatus,
} from './payment-state-machine.js';

const reachable = (from: PaymentStatus): PaymentStatus[] =>
  Object.values(PAYMENT_STATE_MACHINE)
    .filter((rule) => rule.from.includes(from))
    .map((rule) => rule.to);

describe('payment state machine', () => {
  it('goes pending -> succeeded | failed | cancelled, and succeeded -> refund_pending -> refunded', () => {
    expect(reachable('pending').sort()).toEqual(['cancelled', 'failed', 'refunded', 'succeeded']);
    expect(reachable('succeeded')).toEqual(['refund_pending']);
    expect(reachable('refund_pending')).toEqual(['refunded']);
  });

  it('lets a success follow a failed attempt or a cancellation, and nothing follow a success but its refund', () => {
    expect(reachable('failed').sort()).toEqual(['refunded', 'succeeded']);
    expect(reachable('cancelled').sort()).toEqual(['refunded', 'succeeded']);
    expect(PAYMENT_STATE_MACHINE.fail.from).toEqual(['pending']);
    expect(PAYMENT_STATE_MACHINE.cancel.from).toEqual(['pending']);
  });

  it('takes a refund whose notice came before its success straight to refunded, never from a success', () => {
    expect(PAYMENT_STATE_MACHINE.refund.from).not.toContain('succeeded');
    expect(reachable('pending')).toContain('refunded');
  });

  it('never leaves refunded', () => {
    expect(reachable('refunded')).toEqual([]);
  });

  it('names only statuses that exist, and maps every provider event to a transition', () => {
    for (const rule of Object.values(PAYMENT_STATE_MACHINE)) {
      expect(PAYMENT_STATUSES).toContain(rule.to);
      for (const from of rule.from) expect(PAYMENT_STATUSES).toContain(from);
    }
    expect(Object.keys(EVENT_TRANSITION).sort()).toEqual([
      'cancelled',
      'failed',
      'refunded',
      'succeeded',
    ]);
  });
});
