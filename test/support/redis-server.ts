import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './processes.js';

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
    const dir = options.durable ? mkdtempSync(path.join(tmpdir(), 'redis-')) : undefined;
    const redis = new PrivateRedis(await freePort(), dir);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async restart(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
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
      { stdio: 'ignore' },
    );
    await this.waitUntilUp();
  }

  /** SIGKILL: the server vanishes mid-conversation, as in a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A client of the test's own, e.g. to make the server sleep. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    client.on('error', () => undefined);
    return client;
  }

  private async waitUntilUp(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
    throw new Error(`private redis-server on ${this.port} did not start`);
  }
}
