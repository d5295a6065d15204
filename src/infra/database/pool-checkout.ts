import type { Pool, PoolClient } from 'pg';

/** What a tracker wants to know of one checkout, from the caller's own async context. */
export interface CheckoutHandle {
  /** The caller got a connection after waiting this long. Returning an Error refuses it. */
  acquired(client: PoolClient, waitSeconds: number): Error | undefined;
  /** The connection goes back; returning true closes it instead of pooling it. */
  released(): boolean;
}

/**
 * Called as a caller asks the pool for a connection, in that caller's async context (the request
 * it serves), which a pool callback does not keep: a queued caller is handed its connection from
 * whichever caller released one.
 */
export type CheckoutTracker = () => CheckoutHandle | undefined;

type ConnectCallback = (
  err: Error | undefined,
  client: PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

const TRACKERS = Symbol('checkoutTrackers');
type TrackedPool = Pool & { [TRACKERS]?: Set<CheckoutTracker> };

function install(pool: TrackedPool): Set<CheckoutTracker> {
  const trackers = new Set<CheckoutTracker>();
  const connect = pool.connect.bind(pool) as (callback: ConnectCallback) => void;
  const tracked = (callback: ConnectCallback): void => {
    const started = process.hrtime.bigint();
    const handles = [...trackers].flatMap((tracker) => tracker() ?? []);
    connect((err, client, done) => {
      if (err || !client) {
        callback(err, client, done);
        return;
      }
      const waitSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const refusal = handles
        .map((handle) => handle.acquired(client, waitSeconds))
        .find((outcome) => outcome !== undefined);
      let released = false;
      const release = (error?: unknown): void => {
        if (released) return;
        released = true;
        const close = handles.map((handle) => handle.released()).some(Boolean);
        done(error ?? (close ? new Error('closed after its request timed out') : undefined));
      };
      if (refusal) {
        release();
        callback(refusal, undefined, () => undefined);
        return;
      }
      client.release = release;
      callback(undefined, client, release);
    });
  };
  // Both forms pg offers: TypeORM passes a callback, pg's own pool.query too.
  pool.connect = ((callback?: ConnectCallback) => {
    if (callback) {
      tracked(callback);
      return undefined;
    }
    return new Promise<PoolClient>((resolve, reject) => {
      tracked((err, client) => {
        if (err || !client) reject(err ?? new Error('no connection'));
        else resolve(client);
      });
    });
  }) as Pool['connect'];
  pool[TRACKERS] = trackers;
  return trackers;
}

/**
 * Lets a tracker see every checkout of the pool (the wait, the connection, its release) without
 * wrapping each query: the pool's connect is wrapped once, whoever installs first.
 * Returns a function that removes the tracker.
 */
export function trackCheckouts(pool: Pool, tracker: CheckoutTracker): () => void {
  const target = pool as TrackedPool;
  const trackers = target[TRACKERS] ?? install(target);
  trackers.add(tracker);
  return () => {
    trackers.delete(tracker);
  };
}
