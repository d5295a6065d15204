import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestUser } from './factories.js';
import type { StripeStandIn } from './stripe-stand-in.js';
import { TEST_JWT_SECRET, type TestApp } from './test-app.js';

export interface Payment {
  id: string;
  order_id: number;
  provider: string;
  status: string;
  amount: number;
  currency: string;
  provider_reference: string | null;
  client_action: { type: string; client_secret?: string; url?: string; code_url?: string } | null;
  refunded_amount: number;
  created_at: string;
  updated_at: string;
}

export const startPayment = (t: TestApp, user: TestUser, orderId: number, provider: string) =>
  t.http
    .post(`/api/orders/${orderId}/payments`)
    .set('Authorization', user.bearer)
    .send({ provider });

export async function createPayment(
  t: TestApp,
  user: TestUser,
  orderId: number,
  provider: string,
): Promise<Payment> {
  const res = await startPayment(t, user, orderId, provider);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as Payment;
}

/** The payment's row as stored, for what HTTP does not show. */
export async function paymentRow(
  t: TestApp,
  id: string,
): Promise<{ status: string; refunded_minor: number; amount_minor: number }> {
  const { rows } = await t.db.query(
    'SELECT status, refunded_minor, amount_minor FROM payments WHERE id = $1',
    [id],
  );
  return rows[0];
}

export async function eventsOf(t: TestApp, paymentId: string): Promise<string[]> {
  const { rows } = await t.db.query(
    'SELECT event_id FROM payment_events WHERE payment_id = $1 ORDER BY received_at',
    [paymentId],
  );
  return rows.map((r: { event_id: string }) => r.event_id);
}

/**
 * The fake provider's signature, computed here from its documented scheme (README, Payments):
 * HMAC-SHA256 of "<t>.<body>" under HKDF-SHA256(JWT_SECRET, "shop payments",
 * "fake-provider-notifications").
 */
export function fakeSignature(
  body: string,
  options: { timestamp?: number; secret?: string } = {},
): string {
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      options.secret ?? TEST_JWT_SECRET,
      'shop payments',
      'fake-provider-notifications',
      32,
    ),
  );
  const t = options.timestamp ?? Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`;
}

export interface FakeEvent {
  id?: string;
  type: string;
  payment_id: string;
  amount: number;
  currency?: string;
}

export function fakeNotification(
  event: FakeEvent,
  options: { timestamp?: number; secret?: string } = {},
): { body: string; signature: string; id: string } {
  const id = event.id ?? `fakeevt_${randomBytes(6).toString('hex')}`;
  const body = JSON.stringify({ currency: 'USD', ...event, id });
  return { body, signature: fakeSignature(body, options), id };
}

export const postFake = (t: TestApp, note: { body: string; signature: string }) =>
  t.http
    .post('/api/payments/webhooks/fake')
    .set('Content-Type', 'application/json')
    .set('Fake-Signature', note.signature)
    .send(note.body);

export const postStripe = (t: TestApp, note: { body: string; signature: string }) =>
  t.http
    .post('/api/payments/webhooks/stripe')
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', note.signature)
    .send(note.body);

/** Stripe's payment_intent.succeeded for a PaymentIntent the customer completed at the stand-in. */
export function stripeSucceeded(
  stripe: StripeStandIn,
  intentId: string,
  options: { id?: string; timestamp?: number; secret?: string; amount?: number } = {},
) {
  const intent = stripe.succeed(intentId);
  const object =
    options.amount === undefined
      ? intent
      : { ...intent, amount: options.amount, amount_received: options.amount };
  return stripe.event('payment_intent.succeeded', object, options);
}

/** Counter value of payment_webhooks_total for a provider and result. */
export async function webhookCount(t: TestApp, provider: string, result: string): Promise<number> {
  const text = (await t.http.get('/metrics')).text;
  const match = new RegExp(
    `^payment_webhooks_total\\{provider="${provider}",result="${result}"\\} (\\d+)`,
    'm',
  ).exec(text);
  return Number(match?.[1] ?? 0);
}
