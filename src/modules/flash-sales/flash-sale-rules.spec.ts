import { describe, expect, it } from 'vitest';
import {
  endOf,
  mayBeReplay,
  parseVerdict,
  refusalError,
  statusOf,
  type GateTerms,
} from './flash-sale-rules.js';

const at = (iso: string) => new Date(iso);
const window = {
  starts_at: at('2026-01-01T10:00:00.000Z'),
  ends_at: at('2026-01-01T11:00:00.000Z'),
  ended_at: null,
};

describe('statusOf', () => {
  it('is scheduled before the start, active from the start, ended from the end on', () => {
    expect(statusOf(window, at('2026-01-01T09:59:59.999Z'))).toBe('scheduled');
    expect(statusOf(window, at('2026-01-01T10:00:00.000Z'))).toBe('active');
    expect(statusOf(window, at('2026-01-01T10:59:59.999Z'))).toBe('active');
    expect(statusOf(window, at('2026-01-01T11:00:00.000Z'))).toBe('ended');
  });

  it('is ended once an admin ended it, even inside its window or before its start', () => {
    const ended = { ...window, ended_at: at('2026-01-01T09:00:00.000Z') };
    expect(statusOf(ended, at('2026-01-01T08:00:00.000Z'))).toBe('ended');
    expect(statusOf(ended, at('2026-01-01T10:30:00.000Z'))).toBe('ended');
  });
});

describe('endOf', () => {
  it('is the scheduled end, unless an admin ended the sale before it', () => {
    expect(endOf(window)).toEqual(window.ends_at);
    const early = at('2026-01-01T10:20:00.000Z');
    expect(endOf({ ...window, ended_at: early })).toEqual(early);
    // Settled by time after its end: still the scheduled end.
    expect(endOf({ ...window, ended_at: at('2026-01-01T11:00:05.000Z') })).toEqual(window.ends_at);
  });

  it('is the start for a sale ended before it began', () => {
    expect(endOf({ ...window, ended_at: at('2026-01-01T09:00:00.000Z') })).toEqual(
      window.starts_at,
    );
  });
});

describe("parseVerdict: the gate script's reply", () => {
  it('reads a verdict with the terms the gate keeps', () => {
    expect(parseVerdict(['won', 0, '2', '17', '9.99'])).toEqual({
      kind: 'won',
      held: 0,
      limit: 2,
      productId: 17,
      price: '9.99',
    });
    expect(parseVerdict(['limited', 2, '2', '17', '9.99'])).toMatchObject({
      kind: 'limited',
      held: 2,
    });
  });

  it('reads the answers without terms', () => {
    expect(parseVerdict(['rebuild'])).toEqual({ kind: 'rebuild' });
    expect(parseVerdict(['busy'])).toEqual({ kind: 'busy' });
    expect(parseVerdict(['missing'])).toEqual({ kind: 'missing' });
  });

  it('refuses anything else rather than guessing', () => {
    expect(() => parseVerdict(['maybe'])).toThrow(/verdict/);
    expect(() => parseVerdict('won')).toThrow(/reply/);
    expect(() => parseVerdict(null)).toThrow(/reply/);
  });
});

describe('refusalError', () => {
  it('is a 409 (conflict) naming the refusal', () => {
    expect(refusalError('sold_out')).toMatchObject({
      kind: 'conflict',
      message: 'Flash sale sold out',
    });
    expect(refusalError('inactive')).toMatchObject({
      kind: 'conflict',
      message: 'Flash sale is not active',
    });
    const limited = refusalError('limited', 2);
    expect(limited.kind).toBe('conflict');
    expect(limited.errors).toEqual({ quantity: 'at most 2 units of this sale per customer' });
    expect(refusalError('limited', 1).errors).toEqual({
      quantity: 'at most 1 unit of this sale per customer',
    });
  });
});

describe('mayBeReplay', () => {
  const terms = (held: number): GateTerms => ({
    held,
    limit: 1,
    productId: 1,
    price: '1.00',
  });

  it('looks an Idempotency-Key up only for a customer who holds units of the sale', () => {
    expect(mayBeReplay(terms(1), 'k')).toBe(true);
    expect(mayBeReplay(terms(0), 'k')).toBe(false);
    expect(mayBeReplay(terms(1), undefined)).toBe(false);
  });
});
