import { conflict, type DomainError, type FieldErrors } from '../../common/errors/domain-error.js';

export const FLASH_SALE_STATUSES = ['scheduled', 'active', 'ended'] as const;
export type FlashSaleStatus = (typeof FLASH_SALE_STATUSES)[number];

/** What a sale's status is derived from. */
export interface SaleWindow {
  starts_at: Date;
  ends_at: Date;
  /** Set when an admin ended it early. */
  ended_at: Date | null;
}

/** Scheduled before its start, active until its end (or until ended early), then ended. */
export function statusOf(sale: SaleWindow, now: Date): FlashSaleStatus {
  if (sale.ended_at !== null || now.getTime() >= sale.ends_at.getTime()) return 'ended';
  return now.getTime() < sale.starts_at.getTime() ? 'scheduled' : 'active';
}

/**
 * When the sale ends, or ended: its scheduled end, or the moment an admin ended it early (not
 * before its start, for a sale ended before it began).
 */
export function endOf(sale: SaleWindow): Date {
  if (sale.ended_at === null || sale.ended_at >= sale.ends_at) return sale.ends_at;
  return sale.ended_at > sale.starts_at ? sale.ended_at : sale.starts_at;
}

/** The sale's terms as the gate answers them with a verdict. */
export interface GateTerms {
  /** Units the customer held in the sale before this attempt. */
  held: number;
  limit: number;
  productId: number;
  price: string;
}

export type Refusal = 'sold_out' | 'limited' | 'inactive';

/** What the gate in Redis decided about one attempt (see FlashSaleGate). */
export type GateVerdict =
  | ({ kind: 'won' | Refusal } & GateTerms)
  | { kind: 'missing' }
  | { kind: 'rebuild' }
  | { kind: 'busy' };

/** The results counted by flash_sale_attempts_total. */
export const ATTEMPT_RESULTS = ['won', 'sold_out', 'limited', 'inactive'] as const;

/** The gate script's reply, typed: [kind, held, limit, product, price]. */
export function parseVerdict(reply: unknown): GateVerdict {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') {
    throw new Error(`unexpected flash sale gate reply: ${JSON.stringify(reply)}`);
  }
  const [kind, held, limit, product, price] = reply as unknown[];
  switch (kind) {
    case 'won':
    case 'sold_out':
    case 'limited':
    case 'inactive':
      return {
        kind,
        held: Number(held),
        limit: Number(limit),
        productId: Number(product),
        price: String(price),
      };
    case 'missing':
    case 'rebuild':
    case 'busy':
      return { kind };
    default:
      throw new Error(`unexpected flash sale gate verdict: ${String(kind)}`);
  }
}

/** The 409 of each refusal, the same whether the gate or PostgreSQL refused. */
export function refusalError(refusal: Refusal, limit?: number): DomainError {
  const errors: FieldErrors = {};
  switch (refusal) {
    case 'sold_out':
      errors.quantity = 'not enough units left in this sale';
      return conflict('Flash sale sold out', errors);
    case 'limited':
      errors.quantity =
        limit === undefined
          ? 'this would pass the per-customer limit of this sale'
          : `at most ${limit} ${limit === 1 ? 'unit' : 'units'} of this sale per customer`;
      return conflict('Per-customer limit of this flash sale reached', errors);
    case 'inactive':
      return conflict('Flash sale is not active');
  }
}

/**
 * Whether a refusal may hide an earlier success of the same Idempotency-Key: only a customer
 * who already holds units of the sale can have bought with it, so the others' refusals need no
 * look-up (a crowd of losers reads nothing from PostgreSQL).
 */
export const mayBeReplay = (verdict: GateTerms, key: string | undefined): key is string =>
  key !== undefined && verdict.held > 0;
