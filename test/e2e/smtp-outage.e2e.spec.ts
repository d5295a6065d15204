import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { register } from '../support/factories.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

const OUTAGE_MS = 60_000;
let smtp: SmtpSink;
let t: TestApp;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    JOB_BACKOFF_MS: '1000',
    JOB_ATTEMPTS: '12',
  });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const circuitState = async (): Promise<number> => {
  const text = (await t.http.get('/metrics')).text;
  return Number(/^mail_circuit_state (\d)/m.exec(text)?.[1]);
};

describe('an SMTP server down for a minute', () => {
  it('delays the mail, opens the circuit, and delivers the mail exactly once when SMTP is back', async () => {
    await smtp.stop();
    const outageStarted = Date.now();
    const user = await register(t);
    const emailQueue = t.app.get<Queue>(getQueueToken(QUEUES.email));

    await eventually(
      async () => {
        expect(await circuitState()).toBe(2);
      },
      20_000,
      250,
    );
    const [job] = await emailQueue.getJobs(['delayed', 'waiting', 'active']);
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(3);

    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - outageStarted)));
    expect(smtp.messages).toEqual([]);
    expect(await emailQueue.getJobCounts('failed')).toEqual({ failed: 0 });
    await smtp.restart();

    await smtp.waitFor(user.email, /Welcome/, 1, 45_000);
    await eventually(async () => {
      expect(await circuitState()).toBe(0);
    }, 5000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.to(user.email)).toHaveLength(1);
  }, 150_000);
});
