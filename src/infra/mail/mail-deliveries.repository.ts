import { Injectable } from '@nestjs/common';
import type { Db } from '../database/database.js';

/** What a worker may do with a mail: send it, or nothing (done already, or refused for good). */
export type Claim = 'claimed' | 'sent' | 'rejected' | 'busy';

/** A claim older than this belongs to a worker that died mid-send; another may take over. */
const STALE_CLAIM = '2 minutes';

/** The SMTP reply kept with a rejected mail, cut to the column's size. */
const REJECTION_MAX = 500;

/**
 * One row per mail key. A worker claims a mail before sending and marks it sent after, so a
 * job delivered twice (BullMQ is at-least-once) sends once; only a crash between the SMTP
 * server's acceptance and marking it sent can repeat a mail, with the same Message-ID. Each
 * statement stands alone (the pool).
 */
@Injectable()
export class MailDeliveriesRepository {
  async claim(db: Db, key: string): Promise<Claim> {
    const { rows } = await db.query<{ status: string }>(
      `INSERT INTO mail_deliveries (key, status) VALUES ($1, 'sending')
       ON CONFLICT (key) DO UPDATE SET claimed_at = now()
         WHERE mail_deliveries.status = 'sending' AND mail_deliveries.claimed_at < now() - $2::interval
       RETURNING status`,
      [key, STALE_CLAIM],
    );
    if (rows.length > 0) return 'claimed';
    const existing = await db.query<{ status: string }>(
      'SELECT status FROM mail_deliveries WHERE key = $1',
      [key],
    );
    const status = existing.rows[0]?.status;
    return status === 'sent' || status === 'rejected' ? status : 'busy';
  }

  async markSent(db: Db, key: string): Promise<void> {
    await db.query(`UPDATE mail_deliveries SET status = 'sent', sent_at = now() WHERE key = $1`, [
      key,
    ]);
  }

  /** The SMTP server refused the recipient for good: the mail is never tried again. */
  async markRejected(db: Db, key: string, reason: string): Promise<void> {
    await db.query(
      `UPDATE mail_deliveries SET status = 'rejected', rejected_at = now(), rejection = $2
        WHERE key = $1`,
      [key, reason.slice(0, REJECTION_MAX)],
    );
  }

  /** Gives the claim back after a failed send, so the retry can claim it at once. */
  async release(db: Db, key: string): Promise<void> {
    await db.query(`DELETE FROM mail_deliveries WHERE key = $1 AND status = 'sending'`, [key]);
  }
}
