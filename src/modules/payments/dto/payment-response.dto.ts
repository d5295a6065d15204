import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { fromCents, toJsonNumber } from '../../../common/money.js';
import type { ClientAction } from '../payment-provider.js';
import { PAYMENT_STATUSES, type PaymentStatus } from '../payment-state-machine.js';
import type { PaymentRow } from '../payments.repository.js';

export class ClientActionDto {
  @ApiProperty({ enum: ['stripe_client_secret', 'redirect', 'qr_code'] })
  type!: ClientAction['type'];

  @ApiPropertyOptional({ description: 'stripe_client_secret: for Stripe.js confirmPayment' })
  client_secret?: string;

  @ApiPropertyOptional({
    format: 'uri',
    description: 'redirect: the provider page to send the customer to',
  })
  url?: string;

  @ApiPropertyOptional({ description: 'qr_code: the content of the QR code to show' })
  code_url?: string;
}

export class PaymentResponseDto {
  @ApiProperty({ example: 'a1B2c3D4e5F6g7H8i9J0k1L2', description: '16-32 letters and digits' })
  id!: string;

  @ApiProperty({ type: 'integer', example: 1 }) order_id!: number;
  @ApiProperty({ example: 'stripe' }) provider!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: PaymentStatus;
  @ApiProperty({ example: 25, description: 'Exact, at most two decimals' }) amount!: number;
  @ApiProperty({ example: 'USD', description: 'ISO 4217' }) currency!: string;

  @ApiProperty({ type: String, nullable: true, example: 'pi_3N...' })
  provider_reference!: string | null;

  @ApiProperty({
    type: ClientActionDto,
    nullable: true,
    description: 'What the client does next while the payment is pending; null otherwise',
  })
  client_action!: ClientActionDto | null;

  @ApiProperty({ example: 0, description: 'Exact, at most two decimals' }) refunded_amount!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;

  static from(payment: PaymentRow): PaymentResponseDto {
    return {
      id: payment.id,
      order_id: payment.order_id,
      provider: payment.provider,
      status: payment.status,
      amount: toJsonNumber(fromCents(payment.amount_minor)),
      currency: payment.currency,
      provider_reference: payment.provider_reference,
      // Once settled there is nothing left for the client to do (and no secret to hand out).
      client_action: payment.status === 'pending' ? payment.client_action : null,
      refunded_amount: toJsonNumber(fromCents(payment.refunded_minor)),
      created_at: payment.created_at.toISOString(),
      updated_at: payment.updated_at.toISOString(),
    };
  }
}

export class WebhookReceiptDto {
  @ApiProperty({ example: true }) received!: boolean;
  @ApiProperty({ enum: ['accepted', 'duplicate'] }) result!: 'accepted' | 'duplicate';
}
