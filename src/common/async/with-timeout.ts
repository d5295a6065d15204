export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Turns of the event loop a late answer may still need to be sent and read: see withTimeout. */
const TURNS_AFTER_DEADLINE = 2;

/**
 * Rejects when the promise takes longer than `ms`; the work itself is not cancelled.
 *
 * When the deadline passes, the answer still gets two turns of the event loop. The timer fires
 * in a turn's timers phase, before that turn reads its sockets; and ioredis writes an
 * auto-pipelined command only in the turn's setImmediate phase. While the loop is kept busy
 * past `ms` (a burst of large bodies, a long GC), a timer that rejected at once would time out
 * a command that had not even been sent yet, or an answer that had long arrived and only waited
 * to be read, and call a healthy Redis down. When the loop is idle the two turns take
 * microseconds.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const after = (turns: number): void => {
      if (turns === 0) reject(new TimeoutError(`timed out after ${ms} ms`));
      else turn = setImmediate(after, turns - 1);
    };
    timer = setTimeout(after, ms, TURNS_AFTER_DEADLINE);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
    clearImmediate(turn);
  });
}
