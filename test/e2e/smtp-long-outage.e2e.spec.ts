import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { register } from '../support/factories.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

// Spent attempts would fail the mail within about 7 s (4 attempts, backoff 1 s doubling); the
// outage outlasts that three times over and spans at least one probe (every 10 s).
const OUTAGE_MS = 20_000;
let smtp: SmtpSink;
let t: TestApp;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({
    RUN_WORKERS: 'true',
    SMTP_URL: smtp.url,
    JOB_BACKOFF_MS: '1000',
    // Three attempts open the circuit (volume threshold 3); one is left. Were attempts spent
    // while the circuit is open, the outage would use it up within seconds and fail the mail.
    JOB_ATTEMPTS: '4',
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

describe('an SMTP outage longer than a mail job has attempts', () => {
  it('postpones the mail to each probe without spending attempts, and sends it within seconds of SMTP coming back', async () => {
    await smtp.stop();
    const user = await register(t);
    const emailQueue = t.app.get<Queue>(getQueueToken(QUEUES.email));
    await eventually(
      async () => {
        expect(await circuitState()).toBe(2);
      },
      20_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const [job] = await emailQueue.getJobs(['delayed', 'waiting', 'active']);
    expect(job?.attemptsMade).toBe(3);
    expect(await emailQueue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(smtp.messages).toEqual([]);

    await smtp.restart();
    const back = Date.now();
    const [mail] = await smtp.waitFor(user.email, /Welcome/, 1, 15_000);
    // The breaker probes every 10 s: the mail waits for the next probe, not for a long backoff.
    expect(mail!.at - back).toBeLessThan(12_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.to(user.email)).toHaveLength(1);
  }, 120_000);
});
