/** What a batch answers for each of its requests, in the order they were submitted. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Batches of one process running at once when they are not full. Measured: two (one reading
 * while the other writes) place no more orders per second on one hot row than one does.
 */
const RUNNING_AT_ONCE = 1;

export interface BatcherOptions {
  /** How long the first request of a batch waits for others to join; 0: every request alone. */
  windowMs: number;
  /** A batch closes as soon as it holds this many requests. */
  maxSize: number;
}

interface Entry<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: requests that arrive together are handed to `run` together, and each caller
 * gets its own answer. A batch closes when it is full (`maxSize`), and runs at once; or when
 * its window (`windowMs` from its first request) has passed, and runs then, unless batches are
 * still running: then it goes on collecting until they end. So under load the batches grow (up
 * to `maxSize`) instead of queueing on the rows they all need, and a request waits for its
 * batch to start at most the window or the end of the batches running when the window ended
 * (which started no later than it did), whichever is later, then for its own batch. If `run`
 * throws, every request of the batch fails with that error.
 */
export class Batcher<T, R> {
  private pending: Entry<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The window of the pending batch has passed: it runs when the running batches end. */
  private due = false;
  private running = 0;

  constructor(
    private readonly options: BatcherOptions,
    private readonly run: (items: T[]) => Promise<Settled<R>[]>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.options.windowMs <= 0 || this.pending.length >= this.options.maxSize) this.close();
      else if (this.due && this.running < RUNNING_AT_ONCE) this.close();
      else
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.due = true;
          if (this.running < RUNNING_AT_ONCE) this.close();
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
    this.due = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.running += 1;
    this.run(batch.map((entry) => entry.item))
      .then(
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
      )
      .finally(() => {
        this.running -= 1;
        if (this.due && this.running < RUNNING_AT_ONCE) this.close();
      });
  }
}
