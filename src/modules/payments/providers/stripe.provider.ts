import Stripe from 'stripe';
import type { AppConfig } from '../../../config/app-config.js';
import {
  type CreatedPayment,
  type IncomingNotification,
  isEventId,
  type PaymentProvider,
  type PaymentProviderAdapter,
  type PaymentRequest,
  ProviderError,
  type ProviderEvent,
  type ProviderLookup,
  type ProviderPayment,
  type RefundRequest,
  type RefundResult,
  type VerifiedNotification,
  type WebhookAnswer,
  type WebhookResult,
} from '../payment-provider.js';
import { headerOf, NOTIFICATION_TOLERANCE_SECONDS, requireSetting } from './provider-settings.js';

/** One call's own timeout; the circuit's is above it. */
const REQUEST_TIMEOUT_MS = 8000;

/**
 * Stripe's refusal of the request itself (4xx but 409 and 429) is not retried and is not the
 * provider's failure; a network error, a 5xx or a 429 is retried and counts against the
 * circuit; a 409 (a concurrent request with the same idempotency key still running) is retried
 * and does not count.
 */
function providerError(error: unknown): ProviderError {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return new ProviderError('stripe', (error as Error).message, true);
  }
  const status = error.statusCode;
  const retryable =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeIdempotencyError ||
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    status === 409;
  return new ProviderError(
    'stripe',
    `${error.type}: ${error.code ?? error.message}`,
    retryable,
    status === 409,
  );
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw providerError(error);
  }
}

const upper = (currency: string): string => currency.toUpperCase();

/**
 * What every Stripe event has: an id (recorded, so printable and bounded like every provider's
 * event id), a type, and the object it is about. A signed body that is not one (`null`, `[]`, an
 * event without `data`) is a bad body: 400, never a 500 or an acknowledgement.
 */
const isEvent = (value: unknown): value is Stripe.Event => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const data = v.data as Record<string, unknown> | null | undefined;
  return (
    isEventId(v.id) &&
    typeof v.type === 'string' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.object === 'object' &&
    data.object !== null &&
    !Array.isArray(data.object)
  );
};

/** The signed timestamp of a Stripe-Signature header (`t=<unix seconds>,v1=...`). */
const signedAt = (header: string): number | undefined => {
  const match = /(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/.exec(header);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

/** A PaymentIntent's state in the shop's terms; every state a customer can still pay from is pending. */
function statusOf(intent: Stripe.PaymentIntent): ProviderLookup['status'] {
  if (intent.status === 'succeeded') return 'succeeded';
  if (intent.status === 'canceled') return 'cancelled';
  return 'pending';
}

/**
 * Stripe through its official package: PaymentIntents (Idempotency-Key `payment-<id>`, so a
 * retried create never makes a second one), refunds (Idempotency-Key from the refund's own
 * key), look-ups, cancellation, and webhooks verified by stripe.webhooks.constructEvent over
 * the raw body with STRIPE_WEBHOOK_SECRET and 5 minutes' tolerance (either way). STRIPE_API_BASE points the
 * client elsewhere (a local stand-in in tests). The package's own retries are off: the
 * provider's circuit and backoff (ResilientProvider) retry instead.
 */
class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(
    secretKey: string,
    private readonly webhookSecret: string,
    apiBase: string,
  ) {
    const base = new URL(apiBase);
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(secretKey, {
      host: base.hostname,
      port: base.port || (protocol === 'http' ? 80 : 443),
      protocol,
      timeout: REQUEST_TIMEOUT_MS,
      maxNetworkRetries: 0,
      telemetry: false,
    });
  }

  async create(request: PaymentRequest): Promise<CreatedPayment> {
    const intent = await call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: request.amountMinor,
          currency: request.currency.toLowerCase(),
          description: request.description,
          metadata: { order_id: String(request.orderId), payment_id: request.id },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: `payment-${request.id}` },
      ),
    );
    if (!intent.client_secret) {
      throw new ProviderError('stripe', 'the PaymentIntent came without a client secret', true);
    }
    return {
      providerReference: intent.id,
      clientAction: { type: 'stripe_client_secret', client_secret: intent.client_secret },
    };
  }

  verify({ rawBody, headers }: IncomingNotification): Promise<VerifiedNotification> {
    const signature = headerOf(headers, 'stripe-signature');
    if (!signature) return Promise.resolve({ outcome: 'rejected', reason: 'no Stripe-Signature' });
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.webhookSecret,
        NOTIFICATION_TOLERANCE_SECONDS,
      );
    } catch (error) {
      return Promise.resolve({ outcome: 'rejected', reason: (error as Error).message });
    }
    // constructEvent refuses a stale timestamp; one from the future is refused alike.
    const at = signedAt(signature);
    if (at === undefined || at - Date.now() / 1000 > NOTIFICATION_TOLERANCE_SECONDS) {
      return Promise.resolve({ outcome: 'rejected', reason: 'timestamp outside the tolerance' });
    }
    if (!isEvent(event)) return Promise.resolve({ outcome: 'rejected', reason: 'not an event' });
    return Promise.resolve(this.read(event));
  }

  /**
   * The event in the shop's terms. Its signature is verified, but its object is still read with
   * care: a field that is missing or of another type makes it "not accepted" (400), never a 500.
   * A succeeded PaymentIntent's amount is what it received (`amount_received`, its `amount` when
   * the event leaves that out).
   */
  private read(event: Stripe.Event): VerifiedNotification {
    const malformed = (what: string): VerifiedNotification => ({
      outcome: 'rejected',
      reason: `${event.type} event without ${what}`,
    });
    const ofIntent = (
      kind: ProviderEvent['kind'],
      intent: Partial<Stripe.PaymentIntent> | undefined,
    ): VerifiedNotification => {
      if (typeof intent?.id !== 'string') return malformed('a PaymentIntent id');
      const paymentId: unknown = intent.metadata?.payment_id;
      const amount =
        kind === 'succeeded' ? (intent.amount_received ?? intent.amount) : intent.amount;
      if (!Number.isSafeInteger(amount)) return malformed('an amount');
      if (typeof intent.currency !== 'string') return malformed('a currency');
      return {
        outcome: 'event',
        event: {
          eventId: event.id,
          kind,
          payment:
            typeof paymentId === 'string' && paymentId !== ''
              ? { id: paymentId }
              : { providerReference: intent.id },
          amountMinor: amount as number,
          currency: upper(intent.currency),
          providerReference: intent.id,
        },
      };
    };
    switch (event.type) {
      case 'payment_intent.succeeded':
        return ofIntent('succeeded', event.data.object);
      case 'payment_intent.payment_failed':
        return ofIntent('failed', event.data.object);
      case 'payment_intent.canceled':
        return ofIntent('cancelled', event.data.object);
      case 'charge.refunded': {
        const charge = event.data.object as Partial<Stripe.Charge> | undefined;
        const intent = charge?.payment_intent;
        const reference = typeof intent === 'string' ? intent : intent?.id;
        // A partial refund (made in Stripe's dashboard) is not the shop's full refund.
        if (!charge?.refunded || typeof reference !== 'string') break;
        if (!Number.isSafeInteger(charge.amount_refunded)) return malformed('an amount_refunded');
        if (typeof charge.currency !== 'string') return malformed('a currency');
        return {
          outcome: 'event',
          event: {
            eventId: event.id,
            kind: 'refunded',
            payment: { providerReference: reference },
            amountMinor: charge.amount_refunded as number,
            currency: upper(charge.currency),
            providerReference: reference,
          },
        };
      }
      default:
        break;
    }
    return { outcome: 'ignored', eventId: event.id, type: event.type };
  }

  async refund({ payment, amountMinor, idempotencyKey }: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: payment.providerReference,
          amount: amountMinor,
          metadata: { payment_id: payment.id },
        },
        { idempotencyKey },
      );
      if (refund.status === 'succeeded') return 'refunded';
      if (refund.status === 'failed' || refund.status === 'canceled') {
        throw new ProviderError('stripe', `refund ${refund.id} ${refund.status}`, true);
      }
      return 'pending';
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      // Refunded already (the key's 24 hours passed, or by hand): the money went back once.
      if (error instanceof Stripe.errors.StripeError && error.code === 'charge_already_refunded')
        return 'refunded';
      throw providerError(error);
    }
  }

  async lookup(payment: ProviderPayment): Promise<ProviderLookup> {
    const intent = await this.retrieve(payment);
    const charge = intent.latest_charge;
    return {
      status: statusOf(intent),
      refunded: typeof charge === 'object' && charge !== null && charge.refunded,
      // A stand-in's answer may leave amount_received out, as a hand-written event may.
      amountMinor:
        intent.status === 'succeeded'
          ? ((intent as Partial<Stripe.PaymentIntent>).amount_received ?? intent.amount)
          : intent.amount,
      currency: upper(intent.currency),
    };
  }

  async cancel(payment: ProviderPayment): Promise<'cancelled' | 'succeeded'> {
    try {
      const intent = await this.stripe.paymentIntents.cancel(this.referenceOf(payment));
      return intent.status === 'succeeded' ? 'succeeded' : 'cancelled';
    } catch (error) {
      // Not cancelable any more: it succeeded (or was cancelled) meanwhile; ask what it is.
      if (
        error instanceof Stripe.errors.StripeError &&
        error.code === 'payment_intent_unexpected_state'
      ) {
        const status = statusOf(await this.retrieve(payment));
        return status === 'succeeded' ? 'succeeded' : 'cancelled';
      }
      throw providerError(error);
    }
  }

  answer(result: WebhookResult): WebhookAnswer {
    return { format: 'api', status: result === 'rejected' ? 400 : 200 };
  }

  private retrieve(payment: ProviderPayment): Promise<Stripe.PaymentIntent> {
    const reference = this.referenceOf(payment);
    return call(() =>
      this.stripe.paymentIntents.retrieve(reference, { expand: ['latest_charge'] }),
    );
  }

  private referenceOf(payment: ProviderPayment): string {
    if (!payment.providerReference) {
      throw new ProviderError('stripe', `payment ${payment.id} has no PaymentIntent`, false);
    }
    return payment.providerReference;
  }
}

export const stripeAdapter: PaymentProviderAdapter = {
  name: 'stripe',
  create: ({ payments: { stripe } }: AppConfig) =>
    new StripeProvider(
      requireSetting(stripe.secretKey, 'STRIPE_SECRET_KEY', 'stripe'),
      requireSetting(stripe.webhookSecret, 'STRIPE_WEBHOOK_SECRET', 'stripe'),
      stripe.apiBase,
    ),
};
