import type { Db } from './database.js';

export interface WalPositionRow {
  lsn: string;
}

export interface StandbyStatusRow {
  /** False on a server that is not replaying WAL: a primary, or a promoted replica. */
  standby: boolean;
  replay_lsn: string | null;
  /** Seconds since the commit of the last transaction replayed; null before the first. */
  replay_age: number | null;
}

/** The questions the replica check asks: none of them reads or writes application data. */
export const ReplicationStatus = {
  /** Where the primary's WAL ends now. */
  async primaryPosition(db: Db): Promise<string> {
    const { rows } = await db.query<WalPositionRow>(`SELECT pg_current_wal_lsn()::text AS lsn`);
    const [row] = rows;
    if (!row) throw new Error('pg_current_wal_lsn() answered no row');
    return row.lsn;
  },

  async standby(db: Db): Promise<StandbyStatusRow> {
    const { rows } = await db.query<StandbyStatusRow>(
      `SELECT pg_is_in_recovery() AS standby,
              pg_last_wal_replay_lsn()::text AS replay_lsn,
              EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_age`,
    );
    const [row] = rows;
    if (!row) throw new Error('the standby status query answered no row');
    return row;
  },
};
