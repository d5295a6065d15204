/** How often each process measures its replicas' lag. */
export const REPLICA_CHECK_INTERVAL_MS = 1_000;

/**
 * How old the last check of a replica may be for it to serve reads: a check takes at most two
 * one-second timeouts (the primary's position, then the replica's), so a healthy replica is
 * checked again well within this. A replica whose checks stall is not used.
 */
export const REPLICA_CHECK_FRESH_MS = 3_000;

/**
 * The longest a replica that serves a read can be behind the primary: its lag when last checked
 * (at most the maximum), plus the age of that check, plus a second for the clocks of the hosts
 * involved. Reads that must see a write (the cache filling right after an invalidation, a customer
 * reading their own order) go to the primary for this long after it.
 */
export const replicaStalenessBoundMs = (maxLagSeconds: number): number =>
  maxLagSeconds * 1000 + REPLICA_CHECK_FRESH_MS + 1000;

/** A WAL position as PostgreSQL prints it ("16/B374D848"), in bytes. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (!match) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

interface WalSample {
  /** Local time just before the primary was asked. */
  at: number;
  lsn: bigint;
}

/**
 * The primary's WAL position as sampled by each check, for the last `keepMs`. A replica that has
 * replayed up to a sampled position holds everything the primary had committed when the sample
 * was taken. That tells how far behind it is even when the primary is idle, where the age of
 * the last replayed transaction (now() - pg_last_xact_replay_timestamp()) keeps growing on a
 * replica that is fully caught up.
 */
export class PrimaryWalHistory {
  private samples: WalSample[] = [];

  constructor(private readonly keepMs: number) {}

  record(at: number, lsn: bigint): void {
    this.samples.push({ at, lsn });
    const horizon = at - this.keepMs;
    const kept = this.samples.findIndex((sample) => sample.at >= horizon);
    if (kept > 0) this.samples = this.samples.slice(kept);
  }

  /**
   * At most how many seconds of the primary's commits the replica lacks at `now`. Both bounds are
   * upper bounds, so the smaller is kept: the time since the latest sample the replica has
   * replayed past, and the age of the last transaction it replayed. A replica that has replayed
   * nothing, and is behind every sample, has no bound: Infinity.
   */
  lagSeconds(replayLsn: bigint | null, replayAgeSeconds: number | null, now: number): number {
    const byReplay = replayAgeSeconds === null ? Infinity : Math.max(0, replayAgeSeconds);
    if (replayLsn === null) return byReplay;
    const replayed = this.samples.findLast((sample) => sample.lsn <= replayLsn);
    if (replayed === undefined) return byReplay;
    return Math.min(byReplay, Math.max(0, now - replayed.at) / 1000);
  }
}
