import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export type MailDeliveryStatus = 'sending' | 'sent' | 'rejected';

@Entity({ name: 'mail_deliveries' })
@Check('mail_deliveries_status_check', `"status" IN ('sending', 'sent', 'rejected')`)
export class MailDeliveryEntity {
  /** The mail's idempotency key, e.g. "order-confirmation-42". */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: MailDeliveryStatus;

  @Column({ name: 'claimed_at', type: 'timestamptz', default: () => 'now()' })
  claimedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** When the SMTP server refused the recipient for good (status 'rejected'). */
  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true })
  rejectedAt!: Date | null;

  /** The server's reply, e.g. "550 5.1.1 <x@example.com>: Recipient address rejected". */
  @Column({ type: 'varchar', length: 500, nullable: true })
  rejection!: string | null;
}
