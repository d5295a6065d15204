import { Injectable } from '@nestjs/common';
import type { Db, Tx } from '../../infra/database/database.js';
import type { ClientAction } from './payment-provider.js';
import type { PaymentStatus } from './payment-state-machine.js';

/** A payment as PostgreSQL returns it; PaymentResponseDto.from maps it. */
export interface PaymentRow {
  id: string;
  order_id: number;
  provider: string;
  status: PaymentStatus;
  /** Cents of `currency` (BIGINT, exact). */
  amount_minor: number;
  currency: string;
  provider_reference: string | null;
  client_action: ClientAction | null;
  refunded_minor: number;
  checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewPayment {
  id: string;
  orderId: number;
  provider: string;
  amountMinor: number;
  currency: string;
}

export interface PaymentChange {
  /** The statuses the change starts from (the state machine's rule); the row must have one. */
  from: readonly PaymentStatus[];
  to: PaymentStatus;
  /** Set with the change (the amount a refund returned). */
  refundedMinor?: number;
}

const COLUMNS = `id, order_id, provider, status, amount_minor, currency, provider_reference,
  client_action, refunded_minor, checked_at, created_at, updated_at`;

@Injectable()
export class PaymentsRepository {
  /**
   * A new pending payment, unless the order has one pending with this provider already (the
   * partial unique index decides, under any concurrency): then null, and nothing is written.
   */
  async insertPending(db: Db, payment: NewPayment): Promise<PaymentRow | null> {
    const { rows } = await db.query<PaymentRow>(
      `INSERT INTO payments (id, order_id, provider, status, amount_minor, currency)
       VALUES ($1, $2, $3, 'pending', $4, $5)
       ON CONFLICT (order_id, provider) WHERE status = 'pending' DO NOTHING
       RETURNING ${COLUMNS}`,
      [payment.id, payment.orderId, payment.provider, payment.amountMinor, payment.currency],
    );
    return rows[0] ?? null;
  }

  async findPending(db: Db, orderId: number, provider: string): Promise<PaymentRow | null> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments WHERE order_id = $1 AND provider = $2 AND status = 'pending'`,
      [orderId, provider],
    );
    return rows[0] ?? null;
  }

  async findById(db: Db, id: string): Promise<PaymentRow | null> {
    const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async findByReference(db: Db, provider: string, reference: string): Promise<PaymentRow | null> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments WHERE provider = $1 AND provider_reference = $2`,
      [provider, reference],
    );
    return rows[0] ?? null;
  }

  /** An order's payments, newest first (ties by id). */
  async listForOrder(db: Db, orderId: number): Promise<PaymentRow[]> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments WHERE order_id = $1 ORDER BY created_at DESC, id DESC`,
      [orderId],
    );
    return rows;
  }

  /** An order's payments in one of these statuses. */
  async ofOrder(
    db: Db,
    orderId: number,
    statuses: readonly PaymentStatus[],
  ): Promise<PaymentRow[]> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments WHERE order_id = $1 AND status = ANY($2::varchar[])
        ORDER BY created_at, id`,
      [orderId, statuses],
    );
    return rows;
  }

  /** What the provider answered when the payment was made there. */
  async setCreated(
    db: Db,
    id: string,
    reference: string,
    clientAction: ClientAction | null,
  ): Promise<PaymentRow | null> {
    const { rows } = await db.query<PaymentRow>(
      `UPDATE payments SET provider_reference = $2, client_action = $3::jsonb, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, reference, clientAction === null ? null : JSON.stringify(clientAction)],
    );
    return rows[0] ?? null;
  }

  /**
   * Applies a state machine change as one conditional UPDATE: only if the payment still has
   * one of the statuses the change starts from. Null when it has not (another event won).
   */
  async transition(db: Db, id: string, change: PaymentChange): Promise<PaymentRow | null> {
    const { rows } = await db.query<PaymentRow>(
      `UPDATE payments SET status = $2, refunded_minor = coalesce($4, refunded_minor),
              updated_at = now()
        WHERE id = $1 AND status = ANY($3::varchar[])
        RETURNING ${COLUMNS}`,
      [id, change.to, change.from, change.refundedMinor ?? null],
    );
    return rows[0] ?? null;
  }

  /**
   * Records a provider event in the transaction that applies it. False when it was recorded
   * before: a concurrent copy waits here for the first to commit, then finds it.
   */
  async recordEvent(
    tx: Tx,
    event: { provider: string; eventId: string; paymentId: string; kind: string },
  ): Promise<boolean> {
    const { rows } = await tx.query<{ event_id: string }>(
      `INSERT INTO payment_events (provider, event_id, payment_id, kind) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [event.provider, event.eventId, event.paymentId, event.kind],
    );
    return rows.length > 0;
  }

  /**
   * Open payments (pending, or refund pending) not looked at for `seconds`: the reconciler's
   * work, oldest first.
   */
  async stale(db: Db, seconds: number, limit: number): Promise<PaymentRow[]> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments
        WHERE status IN ('pending', 'refund_pending')
          AND coalesce(checked_at, updated_at) < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2`,
      [seconds, limit],
    );
    return rows;
  }

  async markChecked(db: Db, id: string): Promise<void> {
    await db.query(`UPDATE payments SET checked_at = now() WHERE id = $1`, [id]);
  }
}
