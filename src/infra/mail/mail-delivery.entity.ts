import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'mail_deliveries' })
@Check('mail_deliveries_status_check', `"status" IN ('sending', 'sent')`)
export class MailDeliveryEntity {
  /** The mail's idempotency key, e.g. "order-confirmation-42". */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'sending' | 'sent';

  @Column({ name: 'claimed_at', type: 'timestamptz', default: () => 'now()' })
  claimedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
