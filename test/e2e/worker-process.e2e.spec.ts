import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { register } from '../support/factories.js';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

let smtp: SmtpSink;
let api: TestApp;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  api = await startApp({ RUN_WORKERS: 'false', SMTP_URL: smtp.url });
});
afterAll(async () => {
  await api.close();
  await smtp.stop();
});

/** A process of this deployment (the api's database and key space) on `redisUrl`. */
const processEnv = (redisUrl: string): NodeJS.ProcessEnv => ({
  DATABASE_URL: api.config.database.url,
  REDIS_URL: redisUrl,
  REDIS_PREFIX: api.config.redis.prefix,
  SMTP_URL: smtp.url,
  JWT_SECRET: TEST_JWT_SECRET,
  MIGRATIONS_RUN: 'false',
  LOG_LEVEL: 'warn',
});

async function startWorkerProcess(redisUrl = api.config.redis.url): Promise<Spawned> {
  const port = await freePort();
  const worker = spawnNode('dist/worker.js', {
    ...processEnv(redisUrl),
    WORKER_PORT: String(port),
  });
  await waitForStatus(`http://127.0.0.1:${port}/health/ready`);
  return worker;
}

describe('the api with RUN_WORKERS=false and a separate worker process', () => {
  it('queues work that only the worker process does', async () => {
    const user = await register(api);
    const emailQueue = api.app.get<Queue>(getQueueToken(QUEUES.email));
    await eventually(async () => {
      expect(await emailQueue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to(user.email)).toEqual([]);

    const worker = await startWorkerProcess();
    try {
      await smtp.waitFor(user.email, /Welcome/);
    } finally {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  });

  it('lets the worker finish the mail it is sending when told to stop, and exit 0', async () => {
    const worker = await startWorkerProcess();
    smtp.delayMs = 2500;
    try {
      const user = await register(api);
      await eventually(async () => {
        const { rows } = await api.db.query(`SELECT status FROM mail_deliveries WHERE key = $1`, [
          `welcome-${user.id}`,
        ]);
        expect(rows[0]?.status).toBe('sending');
      });
      const stopping = Date.now();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(smtp.to(user.email).map((mail) => mail.subject)).toEqual(['Welcome to the shop']);
      const { rows } = await api.db.query(`SELECT status FROM mail_deliveries WHERE key = $1`, [
        `welcome-${user.id}`,
      ]);
      expect(rows[0].status).toBe('sent');
    } finally {
      smtp.delayMs = 0;
      worker.child.kill('SIGKILL');
    }
  });
});

describe('stopping while Redis hangs (connected, answering nothing)', () => {
  const hanging = async (start: (redisUrl: string) => Promise<Spawned>) => {
    const proxy = await TcpProxy.start(Number(new URL(api.config.redis.url).port || 6379));
    const processes: Spawned[] = [];
    try {
      const started = await start(`redis://127.0.0.1:${proxy.port}/0`);
      processes.push(started);
      proxy.freeze();
      started.child.kill('SIGTERM');
      // Within SHUTDOWN_TIMEOUT, or the process gives up with exit 1.
      expect(await started.exited).toBe(0);
    } finally {
      for (const p of processes) p.child.kill('SIGKILL');
      await proxy.close();
    }
  };

  it('the worker lets go of Redis and exits 0', () => hanging((url) => startWorkerProcess(url)));

  it('an api that also runs the workers exits 0 too', () =>
    hanging(async (url) => {
      const port = await freePort();
      const app = spawnNode('dist/main.js', {
        ...processEnv(url),
        RUN_WORKERS: 'true',
        PORT: String(port),
      });
      await waitForStatus(`http://127.0.0.1:${port}/health/ready`);
      return app;
    }));
});
