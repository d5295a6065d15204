import CircuitBreaker from 'opossum';

/**
 * The dependency behind a circuit is down: the breaker refused the call (it is open) or the one
 * call it let through to probe failed. Nothing about this call was wrong, so a queued job that
 * meets it is postponed until `retryAt` (the breaker's next probe) without spending an attempt
 * (see BoundedWorkerHost), and an HTTP request answers 503.
 */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  constructor(
    readonly dependency: string,
    /** When the breaker lets a call through again (epoch milliseconds). */
    readonly retryAt: number,
  ) {
    super(
      `${dependency} is unavailable (circuit open); next try at ${new Date(retryAt).toISOString()}`,
    );
  }
}

/** 0 closed (calling), 1 half-open (one call probing), 2 open (not calling: the dependency is failing). */
export const CIRCUIT_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;
export type CircuitState = (typeof CIRCUIT_STATE)[keyof typeof CIRCUIT_STATE];

export interface CircuitOptions {
  /** A call taking longer fails (and counts as the dependency's failure). */
  timeoutMs: number;
  /** How long the breaker stays open before it lets one call through to probe. */
  resetTimeoutMs: number;
  /** Calls in the rolling window before the error rate may open the breaker. */
  volumeThreshold: number;
  errorThresholdPercentage: number;
  /**
   * Errors that are the call's own fault, not the dependency's (a recipient refused for good, a
   * card declined): they pass through without counting against the breaker.
   */
  isCallersError?: (error: unknown) => boolean;
  onStateChange?: (state: CircuitState) => void;
}

/** While half-open, a call that was refused waits this long: the probe in flight decides soon. */
const HALF_OPEN_WAIT_MS = 1000;

/**
 * An opossum circuit breaker around one dependency, telling its callers when to come back: a
 * refused call, or a failed probe, throws CircuitOpenError with the time of the next probe.
 * The call that opens the breaker fails with its own error (it was a real attempt).
 */
export class Circuit<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<A, R>;
  private openedAt = 0;

  constructor(
    readonly name: string,
    action: (...args: A) => Promise<R>,
    private readonly options: CircuitOptions,
  ) {
    this.breaker = new CircuitBreaker(action, {
      timeout: options.timeoutMs,
      resetTimeout: options.resetTimeoutMs,
      volumeThreshold: options.volumeThreshold,
      errorThresholdPercentage: options.errorThresholdPercentage,
      ...(options.isCallersError ? { errorFilter: options.isCallersError } : {}),
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      options.onStateChange?.(CIRCUIT_STATE.open);
    });
    this.breaker.on('halfOpen', () => options.onStateChange?.(CIRCUIT_STATE.halfOpen));
    this.breaker.on('close', () => options.onStateChange?.(CIRCUIT_STATE.closed));
    options.onStateChange?.(CIRCUIT_STATE.closed);
  }

  get state(): CircuitState {
    if (this.breaker.opened) return CIRCUIT_STATE.open;
    return this.breaker.halfOpen ? CIRCUIT_STATE.halfOpen : CIRCUIT_STATE.closed;
  }

  /** When a call will be let through again: now if closed, the next probe otherwise. */
  nextProbeAt(): number {
    if (this.breaker.opened) {
      return Math.max(Date.now(), this.openedAt + this.options.resetTimeoutMs) + 50;
    }
    return this.breaker.halfOpen ? Date.now() + HALF_OPEN_WAIT_MS : Date.now();
  }

  async fire(...args: A): Promise<R> {
    // Refused here rather than by opossum, which would count the refusal as a call (a "fire")
    // and so dilute the error rate: after an outage, calls refused while it lasted would keep
    // the breaker closed through the next one while its failures spent jobs' attempts.
    if (!this.breaker.closed && !this.breaker.pendingClose) {
      throw new CircuitOpenError(this.name, this.nextProbeAt());
    }
    const probing = this.breaker.halfOpen;
    try {
      return await this.breaker.fire(...args);
    } catch (error) {
      const refused = (error as { code?: unknown }).code === 'EOPENBREAKER';
      if (refused || (probing && this.breaker.opened)) {
        throw new CircuitOpenError(this.name, this.nextProbeAt());
      }
      throw error;
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
