/** The system under test for the chaos run: two apis and a worker on a private Redis and a cuttable PostgreSQL link. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl } from '../support/env.js';
import {
  dropDatabase,
  freePort,
  spawnNode,
  waitForStatus,
  type Spawned,
} from '../support/processes.js';
import { PrivateRedis } from '../support/redis-server.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TcpProxy } from '../support/tcp-proxy.js';

export const PAYMENT_TIMEOUT_S = 20;

export interface Process {
  spawned: Spawned;
  url: string;
}

export class Stack {
  readonly database = `shop_chaos_${randomBytes(4).toString('hex')}`;
  db!: pg.Pool;
  redis!: PrivateRedis;
  postgres!: TcpProxy;
  smtp!: SmtpSink;
  apis: Process[] = [];
  worker!: Process;

  async start(): Promise<void> {
    // As the README recommends for the queues' Redis: every write fsynced to an append-only file.
    this.redis = await PrivateRedis.start({ durable: true });
    this.smtp = await SmtpSink.start();
    const direct = new URL(databaseUrl(this.database));
    this.postgres = await TcpProxy.start(Number(direct.port || 5432), direct.hostname);
    // The api creates the database and migrates it, as a first deployment would.
    this.apis.push(await this.spawn('dist/main.js', 'PORT', { MIGRATIONS_RUN: 'true' }));
    this.apis.push(await this.spawn('dist/main.js', 'PORT'));
    this.worker = await this.spawn('dist/worker.js', 'WORKER_PORT');
    this.db = new pg.Pool({ connectionString: direct.toString(), max: 4 });
    this.db.on('error', () => undefined);
  }

  private env(): NodeJS.ProcessEnv {
    const viaProxy = new URL(databaseUrl(this.database));
    viaProxy.host = `127.0.0.1:${this.postgres.port}`;
    return {
      NODE_ENV: 'test',
      DATABASE_URL: viaProxy.toString(),
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: 'chaos',
      SMTP_URL: this.smtp.url,
      JWT_SECRET: 'chaos-secret-that-is-long-enough-0123456789',
      MIGRATIONS_RUN: 'false',
      RUN_WORKERS: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_REQUESTS: '100000000',
      AUTH_RATE_LIMIT_REQUESTS: '100000000',
      // Sixteen users keep ordering for minutes; the caps have a test of their own.
      ORDER_MAX_PENDING_PER_USER: '0',
      ORDER_MAX_PENDING_UNITS_PER_USER: '0',
      ORDER_PAYMENT_TIMEOUT: String(PAYMENT_TIMEOUT_S),
      ORDER_SWEEP_INTERVAL: '5',
      JOB_ATTEMPTS: '50',
      JOB_BACKOFF_MS: '300',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    };
  }

  async spawn(script: string, portVar: string, extra: NodeJS.ProcessEnv = {}): Promise<Process> {
    const port = await freePort();
    const spawned = spawnNode(script, { ...this.env(), [portVar]: String(port), ...extra });
    const url = `http://127.0.0.1:${port}`;
    await waitForStatus(`${url}/health/ready`, 200, 60_000);
    return { spawned, url };
  }

  /** SIGTERM to one api, and a new one in its place (a rolling update). */
  async replaceApi(index: number): Promise<number | null> {
    const old = this.apis[index]!;
    const next = await this.spawn('dist/main.js', 'PORT');
    this.apis[index] = next;
    old.spawned.child.kill('SIGTERM');
    return old.spawned.exited;
  }

  async killWorker(): Promise<void> {
    this.worker.spawned.child.kill('SIGKILL');
    await this.worker.spawned.exited;
  }

  async restartWorker(): Promise<void> {
    this.worker = await this.spawn('dist/worker.js', 'WORKER_PORT');
  }

  async stop(): Promise<void> {
    for (const p of [...this.apis, this.worker]) p.spawned.child.kill('SIGTERM');
    await Promise.all([...this.apis, this.worker].map((p) => p.spawned.exited));
    await this.db.end();
    await this.postgres.close();
    await this.redis.kill();
    await this.smtp.stop();
    await dropDatabase(this.database);
  }
}
