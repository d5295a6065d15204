import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './processes.js';
import { killRedis, scratchDir, spawnRedis } from './redis-server.js';
import { tlsArgs, tlsClient, type TlsMaterial } from './redis-tls.js';

const run = promisify(execFile);

interface ClusterNode {
  port: number;
  process: ChildProcess;
}

/**
 * A Redis Cluster of the test's own: `masters` masters with `replicasEach` replicas each, on free
 * ports (the cluster bus on a free port too, not port + 10000), made with
 * `redis-cli --cluster create`, optionally TLS only.
 */
export class RedisCluster {
  private constructor(
    private readonly nodes: ClusterNode[],
    private readonly client: RedisOptions,
    readonly tls: TlsMaterial | undefined,
  ) {}

  static async start(
    options: { masters?: number; replicasEach?: number; tls?: TlsMaterial } = {},
  ): Promise<RedisCluster> {
    const { masters = 3, replicasEach = 1, tls } = options;
    const dir = scratchDir();
    const client = tls ? tlsClient(tls) : {};
    const count = masters * (1 + replicasEach);
    const nodes = await Promise.all(
      Array.from({ length: count }, async (): Promise<ClusterNode> => {
        const [port, bus] = [await freePort(), await freePort()];
        const args = [
          ...(tls
            ? [...tlsArgs(tls, port), '--tls-cluster', 'yes', '--tls-replication', 'yes']
            : []),
          ...(tls ? [] : ['--port', String(port)]),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(bus),
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--dbfilename',
          `dump-${port}.rdb`,
          '--appendonly',
          'yes',
          '--appendfilename',
          `appendonly-${port}.aof`,
          '--appenddirname',
          `aof-${port}`,
          '--save',
          '',
        ];
        return { port, process: await spawnRedis({ port, args, client }) };
      }),
    );
    const cluster = new RedisCluster(nodes, client, tls);
    try {
      await run('redis-cli', [
        ...(tls
          ? ['--tls', '--cacert', tls.ca, '--cert', tls.clientCert, '--key', tls.clientKey]
          : []),
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicasEach),
        '--cluster-yes',
      ]);
      await cluster.waitUntilServing(count);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** For REDIS_CLUSTER_NODES: every node, as an operator would list them. */
  get nodeList(): string {
    const nodes = this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
    return this.tls ? `rediss://${nodes}` : nodes;
  }

  /** A client of the test's own on one node (for CLUSTER and SCAN, which are per node). */
  nodeClient(port: number): Redis {
    const client = new Redis({ ...this.client, host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    return client;
  }

  /** The ports of the nodes serving slots now. */
  async masters(): Promise<number[]> {
    const found: number[] = [];
    for (const node of this.nodes) {
      const client = this.nodeClient(node.port);
      try {
        if (/role:master/.test(await client.info('replication'))) found.push(node.port);
      } finally {
        client.disconnect();
      }
    }
    return found;
  }

  /** Every node agrees the cluster is up, knows all nodes, and every replica has synced. */
  private async waitUntilServing(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(
        this.nodes.map(async (node) => {
          const client = this.nodeClient(node.port);
          try {
            const info = await client.cluster('INFO');
            const replication = await client.info('replication');
            return (
              /cluster_state:ok/.test(info) &&
              new RegExp(`cluster_known_nodes:${count}\\b`).test(info) &&
              !/master_link_status:down/.test(replication)
            );
          } catch {
            return false;
          } finally {
            client.disconnect();
          }
        }),
      );
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not come up');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => killRedis(node.process)));
  }
}
