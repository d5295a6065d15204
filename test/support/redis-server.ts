import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './processes.js';

/** A redis-server (or sentinel) of the test's own: its arguments and how to reach it. */
export interface RedisProcessOptions {
  port: number;
  args: readonly string[];
  /** How a client reaches it (TLS settings, for instance); host and port are added. */
  client?: RedisOptions;
}

/** Starts redis-server with the arguments and waits until it answers PING. */
export async function spawnRedis({
  port,
  args,
  client,
}: RedisProcessOptions): Promise<ChildProcess> {
  const child = spawn('redis-server', [...args], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const probe = new Redis({
      ...client,
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server ${args.join(' ')} did not start on ${port}`);
}

/** SIGKILL: the server vanishes mid-conversation, as in a crash. */
export async function killRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** A fresh directory for a server's files (append-only file, node and sentinel configs). */
export const scratchDir = (): string => mkdtempSync(path.join(tmpdir(), 'redis-'));

/**
 * A redis-server of the test's own on a free port, which the test may kill and restart. The
 * shared Redis of the machine is never touched by fault tests.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    /** With a directory: an append-only file fsynced on every write, kept across restarts. */
    private readonly durableDir?: string,
  ) {}

  static async start(options: { durable?: boolean } = {}): Promise<PrivateRedis> {
    const dir = options.durable ? scratchDir() : undefined;
    const redis = new PrivateRedis(await freePort(), dir);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async restart(): Promise<void> {
    this.process = await spawnRedis({
      port: this.port,
      args: [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...(this.durableDir
          ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.durableDir]
          : ['--appendonly', 'no']),
        '--enable-debug-command',
        'yes',
      ],
    });
  }

  /** SIGKILL: the server vanishes mid-conversation, as in a crash. */
  async kill(): Promise<void> {
    await killRedis(this.process);
  }

  /** A client of the test's own, e.g. to make the server sleep. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    client.on('error', () => undefined);
    return client;
  }
}
