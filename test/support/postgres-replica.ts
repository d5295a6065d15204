import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './processes.js';

const run = promisify(execFile);

/** initdb, pg_ctl and pg_basebackup: PG_BIN, else Debian's layout, else whatever PATH finds. */
const PG_BIN =
  process.env.PG_BIN ??
  ['17', '16', '15']
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
    .find((dir) => existsSync(path.join(dir, 'initdb'))) ??
  '';

/** PostgreSQL refuses to run as root: as root, its tools run as the postgres user. */
const AS_ROOT = userInfo().uid === 0;

async function pgTool(tool: string, args: readonly string[]): Promise<string> {
  const binary = PG_BIN === '' ? tool : path.join(PG_BIN, tool);
  const [command, rest] = AS_ROOT
    ? ['runuser', ['-u', 'postgres', '--', binary, ...args]]
    : [binary, [...args]];
  try {
    const { stdout } = await run(command, rest, { timeout: 60_000 });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`, {
      cause: error,
    });
  }
}

async function ownerIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => run('id', [flag, 'postgres'])));
  return { uid: Number(uid!.stdout.trim()), gid: Number(gid!.stdout.trim()) };
}

/**
 * A PostgreSQL primary of the test's own (initdb + pg_ctl on a free port, WAL for replication,
 * fsync off: nothing here must survive a crash) and a streaming replica of it made with
 * `pg_basebackup -R`, in a directory under the system's temp dir that the server's user owns.
 * The machine's shared PostgreSQL is never touched.
 */
export class PostgresPair {
  private constructor(
    private readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(): Promise<PostgresPair> {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-replica-'));
    if (AS_ROOT) {
      const { uid, gid } = await ownerIds();
      chownSync(dir, uid, gid);
    }
    const pair = new PostgresPair(dir, await freePort(), await freePort());
    try {
      await pgTool('initdb', [
        '-D',
        pair.data('primary'),
        '-U',
        'postgres',
        '-A',
        'trust',
        '--no-sync',
        '-E',
        'UTF8',
      ]);
      pair.configure('primary', pair.primaryPort);
      appendFileSync(
        path.join(pair.data('primary'), 'pg_hba.conf'),
        'host replication postgres 127.0.0.1/32 trust\n',
      );
      await pair.pgCtl('primary', 'start');
      await pgTool('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(pair.primaryPort),
        '-U',
        'postgres',
        '-D',
        pair.data('replica'),
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
      ]);
      // The copy carries the primary's settings; the replica's own come last and win.
      pair.configure('replica', pair.replicaPort);
      await pair.startReplica();
    } catch (error) {
      await pair.stop();
      throw error;
    }
    return pair;
  }

  primaryUrl(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.primaryPort}/${database}`;
  }

  replicaUrl(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.replicaPort}/${database}`;
  }

  /** The replica's name in the service's logs and metrics. */
  get replicaName(): string {
    return `127.0.0.1:${this.replicaPort}`;
  }

  /** One statement on the replica, on a connection of its own. */
  async onReplica<T extends pg.QueryResultRow>(
    text: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    return this.ask(this.replicaPort, database, text, params);
  }

  async onPrimary<T extends pg.QueryResultRow>(
    text: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    return this.ask(this.primaryPort, database, text, params);
  }

  /** Until the replica has replayed everything the primary has written so far. */
  async waitForReplay(timeoutMs = 20_000): Promise<void> {
    const [{ lsn }] = (await this.onPrimary<{ lsn: string }>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    )) as [{ lsn: string }];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await this.onReplica<{ done: boolean }>(
        'SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1::pg_lsn) >= 0 AS done',
        [lsn],
      ).catch(() => [{ done: false }]);
      if (row?.done) return;
      if (Date.now() > deadline) throw new Error(`the replica did not replay up to ${lsn}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The replica keeps answering, with what it had: it falls behind from the next write on. */
  async pauseReplay(): Promise<void> {
    await this.onReplica('SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await this.onReplica('SELECT pg_wal_replay_resume()');
  }

  /** pg_ctl stop -m fast: connections are told the server shuts down (57P01), then it is gone. */
  async stopReplica(): Promise<void> {
    await this.pgCtl('replica', 'stop', ['-m', 'fast']);
  }

  async startReplica(): Promise<void> {
    await this.pgCtl('replica', 'start');
  }

  async stop(): Promise<void> {
    for (const server of ['replica', 'primary'] as const) {
      if (existsSync(path.join(this.data(server), 'postmaster.pid'))) {
        await this.pgCtl(server, 'stop', ['-m', 'immediate']).catch(() => undefined);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private data(server: 'primary' | 'replica'): string {
    return path.join(this.dir, server);
  }

  private configure(server: 'primary' | 'replica', port: number): void {
    appendFileSync(
      path.join(this.data(server), 'postgresql.conf'),
      [
        '',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.dir}'`,
        'wal_level = replica',
        'max_wal_senders = 5',
        'max_connections = 60',
        'shared_buffers = 16MB',
        'fsync = off',
        '',
      ].join('\n'),
    );
  }

  private async pgCtl(
    server: 'primary' | 'replica',
    action: 'start' | 'stop',
    args: string[] = [],
  ): Promise<void> {
    await pgTool('pg_ctl', [
      '-D',
      this.data(server),
      '-l',
      path.join(this.dir, `${server}.log`),
      '-w',
      '-t',
      '30',
      ...args,
      action,
    ]);
  }

  private async ask<T extends pg.QueryResultRow>(
    port: number,
    database: string,
    text: string,
    params: unknown[],
  ): Promise<T[]> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database,
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  }
}
