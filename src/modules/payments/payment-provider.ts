import type { AppConfig } from '../../config/app-config.js';

/**
 * What one payment provider (Stripe, Alipay, WeChat Pay, the fake) must do for the shop. An
 * adapter implements PaymentProvider and is listed once in providers/adapters.ts; nothing else
 * in the shop names a provider. Amounts are integers in the currency's smallest unit (cents:
 * CURRENCY is a two-decimal currency), currencies ISO 4217 codes in capitals.
 */
export interface PaymentProvider {
  readonly name: string;
  /** Starts a payment at the provider: its reference and what the client does next. */
  create(request: PaymentRequest): Promise<CreatedPayment>;
  /**
   * Authenticates a notification from its raw body and headers (signature, timestamp) before
   * anything in it is believed, then reads it. Never throws for a bad notification: answers
   * `rejected` with the reason (logged, never shown to the sender).
   */
  verify(notification: IncomingNotification): Promise<VerifiedNotification>;
  /** Refunds `amountMinor` of a payment; a call repeated with the same key refunds once. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /** The payment's state at the provider (a notification may have been lost). */
  lookup(payment: ProviderPayment): Promise<ProviderLookup>;
  /**
   * Stops a payment the customer has not completed, so that it can no longer succeed. Answers
   * the state it ends in: `cancelled`, or `succeeded` when the customer paid first.
   */
  cancel(payment: ProviderPayment): Promise<'cancelled' | 'succeeded'>;
  /** How this provider wants a notification answered. */
  answer(result: WebhookResult): WebhookAnswer;
}

/** A payment as the shop knows it, for the provider's calls. */
export interface ProviderPayment {
  /** The shop's id: 16-32 letters and digits (out_trade_no, metadata, idempotency keys). */
  id: string;
  orderId: number;
  amountMinor: number;
  currency: string;
  /** The provider's id for it (a PaymentIntent id, a trade number); null until created. */
  providerReference: string | null;
}

export interface PaymentRequest extends ProviderPayment {
  /** PUBLIC_URL/api/payments/webhooks/<provider>. */
  notifyUrl: string;
  /** Where a redirect-based provider sends the customer back to. */
  returnUrl: string;
  description: string;
}

export type ClientAction =
  | { type: 'stripe_client_secret'; client_secret: string }
  | { type: 'redirect'; url: string }
  | { type: 'qr_code'; code_url: string };

export interface CreatedPayment {
  providerReference: string;
  clientAction: ClientAction | null;
}

export interface IncomingNotification {
  /** Exactly the bytes received: signatures are over them. */
  rawBody: Buffer;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
}

export type ProviderEventKind = 'succeeded' | 'failed' | 'cancelled' | 'refunded';

/** An event id as the shop records it (once per provider): 1 to 255 visible ASCII characters. */
export const isEventId = (id: unknown): id is string =>
  typeof id === 'string' && /^[\x21-\x7e]{1,255}$/.test(id);

/** A verified notification, in the shop's terms. */
export interface ProviderEvent {
  /** The provider's event id (Stripe `id`, Alipay `notify_id`, WeChat Pay `id`), unique per provider. */
  eventId: string;
  kind: ProviderEventKind;
  /** Which payment: by the shop's id where the provider echoes it, else by its own reference. */
  payment: { id: string } | { providerReference: string };
  /** What the provider says moved (for `refunded`, what was refunded). */
  amountMinor: number;
  currency: string;
  providerReference?: string;
}

export type VerifiedNotification =
  | { outcome: 'event'; event: ProviderEvent }
  /** Authentic, but nothing the shop acts on (another event type): acknowledged. */
  | { outcome: 'ignored'; eventId: string; type: string }
  | { outcome: 'rejected'; reason: string };

export interface RefundRequest {
  payment: ProviderPayment & { providerReference: string };
  amountMinor: number;
  /** Stable across retries of one refund (Stripe Idempotency-Key, Alipay out_request_no, WeChat out_refund_no). */
  idempotencyKey: string;
}

/** `refunded`: final now; `pending`: accepted, a notification (or a look-up) will confirm it. */
export type RefundResult = 'refunded' | 'pending';

export interface ProviderLookup {
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  /** The payment was refunded in full at the provider. */
  refunded: boolean;
  amountMinor: number;
  currency: string;
}

export type WebhookResult = 'accepted' | 'duplicate' | 'rejected';

/**
 * `api`: the shop's own envelope (2xx) or error format (4xx) with this status, for providers
 * that read only the status (Stripe). `raw`: exactly this status and body, for providers with
 * an answer format of their own (Alipay's `success`/`fail`, WeChat Pay's 204 or 4xx
 * `{"code": "FAIL", "message"}`).
 */
export type WebhookAnswer =
  | { format: 'api'; status: 200 | 400 }
  | { format: 'raw'; status: number; contentType: string; body: string };

/**
 * A provider call that failed. `retryable`: the provider or the network failed (timeouts, 5xx,
 * 429): retried, and counted against the provider's circuit. `busy`: the provider is still
 * working on a concurrent request with the same idempotency key: retried, but not counted (the
 * provider is up, and answers that request's result once it is done). Otherwise the request
 * itself was refused (a 4xx): neither.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
    readonly busy = false,
  ) {
    super(`${provider}: ${message}`);
  }
}

/** One adapter: its name, the currencies it takes, and how it is built from the configuration. */
export interface PaymentProviderAdapter {
  readonly name: string;
  /** ISO 4217 codes it takes; absent: every two-decimal currency. */
  readonly currencies?: readonly string[];
  /** Throws ConfigError naming the first variable it needs and lacks (see requireSetting). */
  create(config: AppConfig): PaymentProvider;
}
