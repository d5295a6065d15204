import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher, type Settled } from './order-batcher.js';

/** A batcher whose runs are recorded and answer each item doubled, or refuse odd ones. */
function recording(windowMs: number, maxSize: number) {
  const runs: number[][] = [];
  const batcher = new Batcher<number, number>({ windowMs, maxSize }, (items) => {
    runs.push(items);
    return Promise.resolve(
      items.map((n): Settled<number> =>
        n % 2 === 0 ? { ok: true, value: n * 2 } : { ok: false, error: new Error(`odd ${n}`) },
      ),
    );
  });
  return { runs, batcher };
}

describe('Batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the requests of one window together and answers each its own result', async () => {
    const { runs, batcher } = recording(5, 100);
    const answers = [2, 3, 4].map((n) =>
      batcher.submit(n).then(String, (e: unknown) => (e as Error).message),
    );
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(4);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([[2, 3, 4]]);
    expect(await Promise.all(answers)).toEqual(['4', 'odd 3', '8']);
  });

  it('closes a batch as soon as it is full, without waiting for the window', async () => {
    const { runs, batcher } = recording(1000, 2);
    const answers = [2, 4, 6].map((n) => batcher.submit(n));
    await Promise.resolve();
    expect(runs).toEqual([[2, 4]]);
    expect(batcher.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([[2, 4], [6]]);
    expect(await Promise.all(answers)).toEqual([4, 8, 12]);
  });

  it('with a window of 0 runs every request alone, at once', async () => {
    const { runs, batcher } = recording(0, 100);
    const answers = [2, 4].map((n) => batcher.submit(n));
    expect(runs).toEqual([[2], [4]]);
    expect(await Promise.all(answers)).toEqual([4, 8]);
  });

  it('starts the next window with the next request, not with the last batch', async () => {
    const { runs, batcher } = recording(5, 100);
    void batcher.submit(2);
    await vi.advanceTimersByTimeAsync(5);
    void batcher.submit(4);
    await vi.advanceTimersByTimeAsync(4);
    expect(runs).toEqual([[2]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([[2], [4]]);
  });

  it('keeps collecting past the window while a batch runs, and runs the rest when it ends', async () => {
    const ends: (() => void)[] = [];
    const runs: number[][] = [];
    const batcher = new Batcher<number, number>({ windowMs: 5, maxSize: 3 }, (items) => {
      runs.push(items);
      return new Promise((resolve) => {
        ends.push(() => {
          resolve(items.map((n) => ({ ok: true as const, value: n })));
        });
      });
    });
    const answers = [batcher.submit(1)];
    await vi.advanceTimersByTimeAsync(5);
    expect(runs).toEqual([[1]]);
    answers.push(...[2, 3].map((n) => batcher.submit(n)));
    await vi.advanceTimersByTimeAsync(50);
    expect(runs).toEqual([[1]]);
    // A full batch does not wait for the running one.
    answers.push(...[4, 5].map((n) => batcher.submit(n)));
    expect(runs).toEqual([[1], [2, 3, 4]]);
    await vi.advanceTimersByTimeAsync(50);
    ends[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([[1], [2, 3, 4]]);
    ends[1]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([[1], [2, 3, 4], [5]]);
    ends[2]?.();
    expect(await Promise.all(answers)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails every request of a batch whose run throws, and keeps working after', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>({ windowMs: 1, maxSize: 10 }, (items) =>
      fail
        ? Promise.reject(new Error('database down'))
        : Promise.resolve(items.map((n) => ({ ok: true as const, value: n }))),
    );
    const failed = [1, 2].map((n) => batcher.submit(n).catch((e: unknown) => (e as Error).message));
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all(failed)).toEqual(['database down', 'database down']);
    fail = false;
    const next = batcher.submit(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(await next).toBe(3);
  });
});
