import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeNotification, postFake } from '../support/payments.js';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp({ RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW: '60' });
});
afterAll(() => t.close());

describe('the payment webhook route', () => {
  it('is never rate limited and needs no token, while the limit holds on other routes', async () => {
    const note = fakeNotification({
      type: 'payment.succeeded',
      payment_id: 'Z'.repeat(24),
      amount: 1,
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => postFake(t, note).set('Authorization', 'Bearer not.a.jwt')),
    );
    // An unknown payment: "not accepted", in the error format, but never 401 or 429.
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(400));
    expect(answers.every((r) => r.headers['x-ratelimit-limit'] === undefined)).toBe(true);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.http.get('/api/products')).status);
    expect(statuses).toContain(429);
  });
});
