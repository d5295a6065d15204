import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './processes.js';
import { killRedis, scratchDir, spawnRedis } from './redis-server.js';
import { tlsArgs, tlsClient, type TlsMaterial } from './redis-tls.js';

export const MASTER_NAME = 'shop';

/**
 * A Redis Sentinel group of the test's own: a master and a replica (append-only, fsynced on
 * every write) watched by three sentinels (`redis-server --sentinel`) with a quorum of two, on
 * free ports. A master that stops answering for a second is replaced by the replica.
 */
export class SentinelGroup {
  private readonly servers = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    private readonly client: RedisOptions,
    private readonly sentinels: { port: number; process: ChildProcess }[],
    readonly tls: TlsMaterial | undefined,
  ) {}

  static async start(options: { tls?: TlsMaterial } = {}): Promise<SentinelGroup> {
    const { tls } = options;
    const dir = scratchDir();
    const client = tls ? tlsClient(tls) : {};
    const group = new SentinelGroup(dir, client, [], tls);
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    try {
      await group.startServer(masterPort);
      await group.startServer(replicaPort, masterPort);
      await group.waitFor(replicaPort, /master_link_status:up/);
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const config = path.join(dir, `sentinel-${port}.conf`);
        // Sentinels rewrite their configuration file as they learn; it must be their own.
        writeFileSync(
          config,
          [
            ...(tls
              ? [
                  'port 0',
                  `tls-port ${port}`,
                  `tls-cert-file ${tls.serverCert}`,
                  `tls-key-file ${tls.serverKey}`,
                  `tls-ca-cert-file ${tls.ca}`,
                  'tls-auth-clients optional',
                  'tls-replication yes',
                ]
              : [`port ${port}`]),
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
            `sentinel failover-timeout ${MASTER_NAME} 4000`,
            '',
          ].join('\n'),
        );
        const process = await spawnRedis({ port, args: [config, '--sentinel'], client });
        group.sentinels.push({ port, process });
      }
      await group.waitUntilWatching();
    } catch (error) {
      await group.stop();
      throw error;
    }
    return group;
  }

  /** For REDIS_URL. */
  get url(): string {
    const scheme = this.tls ? 'rediss+sentinel' : 'redis+sentinel';
    const hosts = this.sentinels.map(({ port }) => `127.0.0.1:${port}`).join(',');
    return `${scheme}://${hosts}/${MASTER_NAME}/0`;
  }

  /** The port of the master, as the sentinels see it now. */
  async masterPort(): Promise<number> {
    const answers = await Promise.all(
      this.sentinels.map(({ port }) =>
        this.ask(port, (c) => c.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)),
      ),
    );
    const ports = new Set(answers.map((answer) => Number((answer as string[])[1])));
    if (ports.size !== 1)
      throw new Error(`sentinels disagree on the master: ${[...ports].join(', ')}`);
    return [...ports][0]!;
  }

  /** SIGKILLs the master; returns its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    await killRedis(this.servers.get(port));
    return port;
  }

  /** Waits until every sentinel names a master other than `old`, and that server is one. */
  async waitForFailover(old: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const port = await this.masterPort();
        if (port !== old) {
          await this.waitFor(port, /role:master/);
          return port;
        }
      } catch {
        // sentinels still disagree, or one is busy: ask again
      }
      if (Date.now() > deadline) throw new Error('no failover happened');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([
      ...[...this.servers.values()].map((child) => killRedis(child)),
      ...this.sentinels.map(({ process }) => killRedis(process)),
    ]);
  }

  private async startServer(port: number, replicaOf?: number): Promise<void> {
    const args = [
      ...(this.tls ? [...tlsArgs(this.tls, port), '--tls-replication', 'yes'] : []),
      ...(this.tls ? [] : ['--port', String(port)]),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--dbfilename',
      `dump-${port}.rdb`,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--appenddirname',
      `aof-${port}`,
      '--save',
      '',
      ...(replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(replicaOf)]),
    ];
    this.servers.set(port, await spawnRedis({ port, args, client: this.client }));
  }

  /** Every sentinel knows the master, the replica and the two other sentinels. */
  private async waitUntilWatching(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await Promise.all(
        this.sentinels.map(async ({ port }) => {
          try {
            const [master] = (await this.ask(port, (c) =>
              c.call('SENTINEL', 'masters'),
            )) as string[][];
            const fields = new Map<string, string>();
            for (let i = 0; i + 1 < (master?.length ?? 0); i += 2)
              fields.set(master![i]!, master![i + 1]!);
            return fields.get('num-slaves') === '1' && fields.get('num-other-sentinels') === '2';
          } catch {
            return false;
          }
        }),
      );
      if (ready.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('the sentinels did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async waitFor(port: number, replication: RegExp): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if (replication.test(String(await this.ask(port, (c) => c.info('replication'))))) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`redis on ${port} never matched ${replication}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async ask(port: number, question: (client: Redis) => Promise<unknown>): Promise<unknown> {
    const client = new Redis({
      ...this.client,
      host: '127.0.0.1',
      port,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await question(client);
    } finally {
      client.disconnect();
    }
  }
}
