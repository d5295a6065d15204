import { describe, expect, it } from 'vitest';
import { parseLsn, PrimaryWalHistory, replicaStalenessBoundMs } from './replica-lag.js';

describe('parseLsn', () => {
  it('reads PostgreSQL WAL positions in order, across the 4 GB boundary', () => {
    expect(parseLsn('0/3000000')).toBe(0x3000000n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(() => parseLsn('nonsense')).toThrow(/not a WAL position/);
  });
});

describe('a replica lag estimate', () => {
  const at = (seconds: number): number => 1_000_000 + seconds * 1000;

  it('is about zero for a caught-up replica of an idle primary, however old its last replayed commit', () => {
    const history = new PrimaryWalHistory(60_000);
    for (let s = 0; s <= 30; s++) history.record(at(s), 500n);
    // The last commit was replayed 600 s ago: the primary has committed nothing since.
    expect(history.lagSeconds(500n, 600, at(30.2))).toBeCloseTo(0.2);
  });

  it('grows from the last sample the replica has replayed past while it does not replay', () => {
    const history = new PrimaryWalHistory(60_000);
    history.record(at(0), 500n);
    history.record(at(1), 500n);
    history.record(at(2), 900n); // a write, which the replica (paused at 500) does not replay
    history.record(at(3), 900n);
    expect(history.lagSeconds(500n, 600, at(3.5))).toBeCloseTo(2.5);
    expect(history.lagSeconds(500n, 600, at(9))).toBeCloseTo(8);
    expect(history.lagSeconds(900n, 600, at(3.5))).toBeCloseTo(0.5);
  });

  it('is the age of the last replayed commit when that is smaller, or when history does not reach back', () => {
    const history = new PrimaryWalHistory(5_000);
    history.record(at(0), 100n);
    for (let s = 1; s <= 20; s++) history.record(at(s), 1000n + BigInt(s));
    expect(history.lagSeconds(100n, 42, at(20))).toBe(42);
    expect(history.lagSeconds(1010n, 1.5, at(20))).toBe(1.5);
  });

  it('has no bound for a replica that has replayed nothing and is behind every sample', () => {
    const history = new PrimaryWalHistory(60_000);
    history.record(at(0), 900n);
    expect(history.lagSeconds(100n, null, at(1))).toBe(Infinity);
    expect(history.lagSeconds(null, null, at(1))).toBe(Infinity);
  });

  it('bounds how far behind a serving replica can be: max lag, an old check, a second of clocks', () => {
    expect(replicaStalenessBoundMs(5)).toBe(9_000);
  });
});
