import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../../../config/app-config.js';
import {
  type IncomingNotification,
  isEventId,
  type PaymentProvider,
  type PaymentProviderAdapter,
  type ProviderEventKind,
  type ProviderLookup,
  type ProviderPayment,
  type VerifiedNotification,
  type WebhookAnswer,
  type WebhookResult,
} from '../payment-provider.js';
import { headerOf, NOTIFICATION_TOLERANCE_SECONDS } from './provider-settings.js';

export const FAKE_SIGNATURE_HEADER = 'fake-signature';

/** The fake's notification key, derived from JWT_SECRET (HKDF) for this purpose alone. */
const keyOf = (secret: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, 'shop payments', 'fake-provider-notifications', 32));

const TYPES: Record<string, ProviderEventKind> = {
  'payment.succeeded': 'succeeded',
  'payment.failed': 'failed',
  'payment.cancelled': 'cancelled',
  'payment.refunded': 'refunded',
};

interface FakeNotificationBody {
  id: string;
  type: string;
  payment_id: string;
  amount: number;
  currency: string;
}

const isBody = (value: unknown): value is FakeNotificationBody => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isEventId(v.id) &&
    typeof v.type === 'string' &&
    typeof v.payment_id === 'string' &&
    /^[A-Za-z0-9]{16,32}$/.test(v.payment_id) &&
    Number.isSafeInteger(v.amount) &&
    typeof v.currency === 'string'
  );
};

/**
 * Payments without money, for development and tests (refused in production unless
 * PAYMENT_FAKE_IN_PRODUCTION=true). The fake provider approves every payment the moment it is
 * made: POST /api/orders/:id/pay is that, at once; a payment created through
 * POST /api/orders/:id/payments stays pending until a notification signed as below arrives, or
 * until reconciliation looks it up (the look-up always answers `succeeded`). Refunds are final
 * at once. Notifications: JSON `{id, type: payment.succeeded|payment.failed|payment.cancelled|
 * payment.refunded, payment_id, amount (cents), currency}`, with the header
 * `Fake-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` under
 * HKDF-SHA256(JWT_SECRET, salt "shop payments", info "fake-provider-notifications", 32 bytes).
 */
class FakeProvider implements PaymentProvider {
  readonly name = 'fake';
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = keyOf(secret);
  }

  create(request: ProviderPayment): Promise<{ providerReference: string; clientAction: null }> {
    return Promise.resolve({ providerReference: `fake_${request.id}`, clientAction: null });
  }

  verify({ rawBody, headers }: IncomingNotification): Promise<VerifiedNotification> {
    return Promise.resolve(this.verifySync(rawBody, headerOf(headers, FAKE_SIGNATURE_HEADER)));
  }

  private verifySync(rawBody: Buffer, header: string | undefined): VerifiedNotification {
    const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
    if (!match) return { outcome: 'rejected', reason: 'missing or malformed Fake-Signature' };
    const [, t = '', signature = ''] = match;
    const expected = createHmac('sha256', this.key).update(`${t}.`).update(rawBody).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      return { outcome: 'rejected', reason: 'signature does not match' };
    }
    if (Math.abs(Date.now() / 1000 - Number(t)) > NOTIFICATION_TOLERANCE_SECONDS) {
      return { outcome: 'rejected', reason: 'timestamp outside the tolerance' };
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return { outcome: 'rejected', reason: 'body is not JSON' };
    }
    if (!isBody(body)) return { outcome: 'rejected', reason: 'body is not a fake notification' };
    const kind = TYPES[body.type];
    if (!kind) return { outcome: 'ignored', eventId: body.id, type: body.type };
    return {
      outcome: 'event',
      event: {
        eventId: body.id,
        kind,
        payment: { id: body.payment_id },
        amountMinor: body.amount,
        currency: body.currency,
      },
    };
  }

  refund(): Promise<'refunded'> {
    return Promise.resolve('refunded');
  }

  lookup(payment: ProviderPayment): Promise<ProviderLookup> {
    return Promise.resolve({
      status: 'succeeded',
      refunded: false,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
    });
  }

  /** Too late: the fake approved it when it was made. */
  cancel(): Promise<'succeeded'> {
    return Promise.resolve('succeeded');
  }

  answer(result: WebhookResult): WebhookAnswer {
    return { format: 'api', status: result === 'rejected' ? 400 : 200 };
  }
}

export const fakeAdapter: PaymentProviderAdapter = {
  name: 'fake',
  create: (config: AppConfig) => new FakeProvider(config.jwt.secret),
};
