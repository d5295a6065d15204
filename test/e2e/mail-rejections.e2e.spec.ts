import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/infra/queue/queues.js';
import { register, unique } from '../support/factories.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let smtp: SmtpSink;
let t: TestApp;

beforeEach(async () => {
  smtp = await SmtpSink.start();
  t = await startApp({ RUN_WORKERS: 'true', SMTP_URL: smtp.url, JOB_BACKOFF_MS: '200' });
});
afterEach(async () => {
  await t.close();
  await smtp.stop();
});

const scrape = async (): Promise<string> => (await t.http.get('/metrics')).text;
const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
const emailQueue = (): Queue => t.app.get<Queue>(getQueueToken(QUEUES.email));
const jobsTo = async (address: string, states: ('failed' | 'completed')[]): Promise<Job[]> =>
  (await emailQueue().getJobs(states)).filter((job) => (job.data as { to: string }).to === address);
const delivery = async (key: string) =>
  (
    await t.db.query<{ status: string; rejection: string | null; rejected_at: Date | null }>(
      'SELECT status, rejection, rejected_at FROM mail_deliveries WHERE key = $1',
      [key],
    )
  ).rows[0];

describe('a recipient the SMTP server refuses for good (5xx to RCPT TO)', () => {
  it('fails that mail at once, records and counts it, and leaves the circuit closed for everyone else', async () => {
    const rejectedBefore = metric(await scrape(), 'mail_rejected_total');
    const refused = Array.from({ length: 4 }, () => `${unique()}@example.com`);
    for (const address of refused) smtp.refuse(address, 550);
    const users = [];
    for (const email of refused) users.push(await register(t, { email }));

    for (const user of users) {
      await eventually(async () => {
        const row = await delivery(`welcome-${user.id}`);
        expect(row?.status).toBe('rejected');
        expect(row?.rejection).toMatch(/^550 .*no such user/);
        expect(row?.rejected_at).toBeInstanceOf(Date);
      }, 10_000);
      const [job, ...more] = await jobsTo(user.email, ['failed']);
      expect(more).toEqual([]);
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toMatch(/refused for good/);
    }
    const text = await scrape();
    expect(metric(text, 'mail_rejected_total') - rejectedBefore).toBe(4);
    expect(metric(text, 'mail_circuit_state')).toBe(0);

    // Four refusals in a row would have opened the circuit (3 failures are enough); another
    // user's mail goes out at once.
    const other = await register(t);
    await smtp.waitFor(other.email, /Welcome/, 1, 3000);
    expect(metric(await scrape(), 'mail_circuit_state')).toBe(0);
    expect(smtp.messages.filter((mail) => refused.some((a) => mail.to.includes(a)))).toEqual([]);
  });
});

describe('a temporary refusal or an unreachable server', () => {
  it('retries a mail whose recipient got a 4xx, and delivers it once the mailbox takes it', async () => {
    const rejectedBefore = metric(await scrape(), 'mail_rejected_total');
    const email = `${unique()}@example.com`;
    smtp.refuse(email, 450, 1);
    const user = await register(t, { email });
    await smtp.waitFor(email, /Welcome/, 1, 15_000);
    await eventually(async () => {
      expect((await delivery(`welcome-${user.id}`))?.status).toBe('sent');
    });
    const [job] = await jobsTo(email, ['completed']);
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(smtp.to(email)).toHaveLength(1);
    expect(metric(await scrape(), 'mail_rejected_total')).toBe(rejectedBefore);
  });

  it('counts 4xx refusals against the circuit, which opens', async () => {
    const addresses = Array.from({ length: 4 }, () => `${unique()}@example.com`);
    for (const address of addresses) smtp.refuse(address, 421);
    for (const email of addresses) await register(t, { email });
    await eventually(
      async () => {
        expect(metric(await scrape(), 'mail_circuit_state')).toBe(2);
      },
      15_000,
      200,
    );
    expect(await jobsTo(addresses[0]!, ['failed'])).toEqual([]);
  });
});
