import { Circuit, CircuitOpenError, type CircuitState } from '../../infra/resilience/circuit.js';
import {
  ProviderError,
  type CreatedPayment,
  type IncomingNotification,
  type PaymentProvider,
  type PaymentRequest,
  type ProviderLookup,
  type ProviderPayment,
  type RefundRequest,
  type RefundResult,
  type VerifiedNotification,
  type WebhookAnswer,
  type WebhookResult,
} from './payment-provider.js';

/** Tries per call (the first and two retries), and the first retry's delay (doubling). */
const ATTEMPTS = 3;
const FIRST_RETRY_MS = 200;

const isCallersError = (error: unknown): boolean =>
  error instanceof ProviderError && !error.retryable;

/** What the circuit does not count: the caller's own errors, and a provider busy with the same key. */
const notTheProvidersFailure = (error: unknown): boolean =>
  isCallersError(error) || (error instanceof ProviderError && error.busy);

/**
 * A provider behind its own circuit breaker (opossum, one per provider: Stripe failing never
 * slows a mail or another provider), with a timeout on every call and retries with backoff
 * for the provider's failures. While the circuit is open calls fail at once with
 * CircuitOpenError: an HTTP request answers 503, a job is postponed to the next probe.
 * Notifications are verified locally and answered locally: they never pass the circuit.
 */
export class ResilientProvider implements PaymentProvider {
  private readonly circuit: Circuit<[() => Promise<unknown>], unknown>;

  constructor(
    private readonly provider: PaymentProvider,
    onStateChange: (state: CircuitState) => void,
    timeoutMs = 10_000,
  ) {
    this.circuit = new Circuit(`payment provider ${provider.name}`, (work) => work(), {
      timeoutMs,
      resetTimeoutMs: 10_000,
      volumeThreshold: 5,
      errorThresholdPercentage: 50,
      isCallersError: notTheProvidersFailure,
      onStateChange,
    });
  }

  get name(): string {
    return this.provider.name;
  }

  create(request: PaymentRequest): Promise<CreatedPayment> {
    return this.guarded(() => this.provider.create(request));
  }

  verify(notification: IncomingNotification): Promise<VerifiedNotification> {
    return this.provider.verify(notification);
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.guarded(() => this.provider.refund(request));
  }

  lookup(payment: ProviderPayment): Promise<ProviderLookup> {
    return this.guarded(() => this.provider.lookup(payment));
  }

  cancel(payment: ProviderPayment): Promise<'cancelled' | 'succeeded'> {
    return this.guarded(() => this.provider.cancel(payment));
  }

  answer(result: WebhookResult): WebhookAnswer {
    return this.provider.answer(result);
  }

  shutdown(): void {
    this.circuit.shutdown();
  }

  /** Retries the provider's own failures with backoff; never past an open circuit. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.circuit.fire(work)) as T;
      } catch (error) {
        const retryable = !(error instanceof CircuitOpenError) && !isCallersError(error);
        if (!retryable || attempt >= ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  }
}
