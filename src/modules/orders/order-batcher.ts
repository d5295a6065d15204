/** What a batch answers for each of its requests, in the order they were submitted. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface BatcherOptions {
  /** How long the first request of a batch waits for others to join; 0: every request alone. */
  windowMs: number;
  /** A batch closes as soon as it holds this many requests. */
  maxSize: number;
}

/**
 * Group commit: requests that arrive within `windowMs` of the first one of a batch (at most
 * `maxSize` of them) are handed to `run` together, and each caller gets its own answer. A batch
 * closes when its window ends or when it is full, and runs at once, beside any batch still
 * running, so a request waits at most the window and then its own batch's execution. If `run`
 * throws, every request of the batch fails with that error.
 */
export class Batcher<T, R> {
  private pending: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] =
    [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: BatcherOptions,
    private readonly run: (items: T[]) => Promise<Settled<R>[]>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.options.windowMs <= 0 || this.pending.length >= this.options.maxSize) this.close();
      else
        this.timer ??= setTimeout(() => {
          this.close();
        }, this.options.windowMs);
    });
  }

  /** Requests waiting for their batch to close. */
  get waiting(): number {
    return this.pending.length;
  }

  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.run(batch.map((entry) => entry.item)).then(
      (results) => {
        batch.forEach((entry, i) => {
          const result = results[i];
          if (!result) entry.reject(new Error('a batch answered fewer results than requests'));
          else if (result.ok) entry.resolve(result.value);
          else entry.reject(result.error);
        });
      },
      (error: unknown) => {
        batch.forEach((entry) => {
          entry.reject(error);
        });
      },
    );
  }
}
