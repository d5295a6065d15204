import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentReconciler } from '../../src/modules/payments/payment-reconciler.js';
import { OrderSweeper } from '../../src/modules/orders/order-sweeper.js';
import {
  createOrder,
  createProduct,
  expectError,
  signUp,
  stockOf,
  type TestUser,
} from './factories.js';
import {
  createPayment,
  eventsOf,
  paymentRow,
  startPayment,
  webhookCount,
  type Payment,
} from './payments.js';
import { eventually, SmtpSink } from './smtp-sink.js';
import { startApp, type TestApp } from './test-app.js';

/** A notification as the provider posts it: the exact body and its headers. */
export interface Note {
  body: string;
  headers: Record<string, string>;
  id: string;
}

/**
 * What the shared scenarios need of one provider and its stand-in: how the customer pays,
 * what its notifications look like, how it answers them, and its refunds.
 */
export interface ProviderDriver {
  readonly name: string;
  readonly contentType: string;
  /** The customer completes the payment at the provider (no notification). */
  pay(payment: Payment): void;
  /** Its signed success notification, for a payment paid at the provider. */
  succeeded(payment: Payment): Note;
  /** Notifications that must be refused (forged, stale, wrong amount...), for a paid payment. */
  refused(payment: Payment): Note[];
  expectAccepted(res: { status: number; text: string }): void;
  expectRefused(res: { status: number; text: string; body: unknown }): void;
  /** Idempotency keys of every refund call made for the payment (retries included). */
  refundCalls(payment: Payment): string[];
  /** Refunds the provider actually made for the payment. */
  refundsMade(payment: Payment): number;
  failRefunds(times: number): void;
  down(): Promise<void>;
  up(): Promise<void>;
}

export interface ScenarioContext {
  t: TestApp;
  smtp: SmtpSink;
  admin: TestUser;
  alice: TestUser;
  driver: ProviderDriver;
}

/** A provider's stand-in, started: the app's settings for it, its driver, how to stop it. */
export interface StartedStandIn {
  env: NodeJS.ProcessEnv;
  driver: ProviderDriver;
  stop: () => Promise<void>;
}

/**
 * One app for a spec file (before all its tests), with only `provider` enabled, prices in
 * CNY, workers running and mail going to a sink; answers the context once it is up.
 */
export function providerApp(
  provider: string,
  standIn: () => Promise<StartedStandIn>,
): () => ScenarioContext {
  let context: ScenarioContext | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const [smtp, started] = await Promise.all([SmtpSink.start(), standIn()]);
    const t = await startApp({
      RUN_WORKERS: 'true',
      SMTP_URL: smtp.url,
      PAYMENT_PROVIDERS: provider,
      CURRENCY: 'CNY',
      PUBLIC_URL: 'https://shop.example',
      JOB_BACKOFF_MS: '300',
      ...started.env,
    });
    const [admin, alice] = await Promise.all([signUp(t, { role: 'admin' }), signUp(t)]);
    context = { t, smtp, admin, alice, driver: started.driver };
    stop = async () => {
      await t.close();
      await Promise.all([smtp.stop(), started.stop()]);
    };
  });
  afterAll(async () => {
    await stop?.();
  });
  return () => {
    if (!context) throw new Error('the app is not up');
    return context;
  };
}

export const postNote = (t: TestApp, provider: string, contentType: string, note: Note) =>
  t.http
    .post(`/api/payments/webhooks/${provider}`)
    .set('Content-Type', contentType)
    .set(note.headers)
    .send(note.body);

/** Puts the order past its deadline and runs the sweep (the payment timeout's safety net). */
export async function expireOrder(t: TestApp, orderId: number): Promise<void> {
  await t.db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
    orderId,
  ]);
  await t.app.get(OrderSweeper).sweep();
}

/** A pending payment of `driver`'s provider for a new order of `quantity` × 12.50. */
export async function pendingPayment(c: ScenarioContext, quantity = 2, price = 12.5) {
  const product = await createProduct(c.t, c.admin, { price, stock: 100 });
  const order = await createOrder(c.t, c.alice, [{ product_id: product.id, quantity }]);
  const payment = await createPayment(c.t, c.alice, order.id, c.driver.name);
  return { product, order, payment };
}

export const orderStatus = async (c: ScenarioContext, id: number): Promise<string> =>
  (await c.t.http.get(`/api/orders/${id}`).set('Authorization', c.alice.bearer)).body.data.status;

const circuitOf = async (t: TestApp, provider: string): Promise<number> => {
  const text = (await t.http.get('/metrics')).text;
  const pattern = new RegExp(
    `^payment_provider_circuit_state\\{provider="${provider}"\\} (\\d)`,
    'm',
  );
  return Number(pattern.exec(text)?.[1]);
};

/**
 * The scenarios every provider passes through HTTP against its stand-in: notifications
 * refused, repeated and concurrent, late successes and cancellations refunded once, lost
 * notifications reconciled, and an outage. The outage comes last: it leaves the circuit open.
 */
export function providerScenarios(context: () => ScenarioContext): void {
  const post = (note: Note) => {
    const { t, driver } = context();
    return postNote(t, driver.name, driver.contentType, note);
  };

  describe('notifications', () => {
    it('refused when forged, stale, for another amount or not ours, in the provider’s format, changing nothing', async () => {
      const c = context();
      const { order, payment } = await pendingPayment(c);
      c.driver.pay(payment);
      const notes = c.driver.refused(payment);
      const before = await webhookCount(c.t, c.driver.name, 'rejected');
      for (const note of notes) c.driver.expectRefused(await post(note));
      expect((await paymentRow(c.t, payment.id)).status).toBe('pending');
      expect(await orderStatus(c, order.id)).toBe('pending');
      expect(await eventsOf(c.t, payment.id)).toEqual([]);
      expect(await webhookCount(c.t, c.driver.name, 'rejected')).toBe(before + notes.length);
    });

    it('processed once, however often they come: twice in a row, or fifty copies at once', async () => {
      const c = context();
      const first = await pendingPayment(c);
      c.driver.pay(first.payment);
      const note = c.driver.succeeded(first.payment);
      const duplicates = await webhookCount(c.t, c.driver.name, 'duplicate');
      c.driver.expectAccepted(await post(note));
      c.driver.expectAccepted(await post(note));
      expect(await eventsOf(c.t, first.payment.id)).toEqual([note.id]);
      expect(await webhookCount(c.t, c.driver.name, 'duplicate')).toBe(duplicates + 1);

      const { product, order, payment } = await pendingPayment(c);
      c.driver.pay(payment);
      const copy = c.driver.succeeded(payment);
      const accepted = await webhookCount(c.t, c.driver.name, 'accepted');
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(copy)));
      for (const res of answers) c.driver.expectAccepted(res);
      expect(await webhookCount(c.t, c.driver.name, 'accepted')).toBe(accepted + 1);
      expect(await orderStatus(c, order.id)).toBe('paid');
      expect(await stockOf(c.t, product.id)).toEqual({ stock: 98, sales: 2 });
      expect(await eventsOf(c.t, payment.id)).toEqual([copy.id]);
    });
  });

  describe('refunds', () => {
    it('a success after the order expired is refunded once, the order left cancelled and the customer mailed', async () => {
      const c = context();
      const { product, order, payment } = await pendingPayment(c);
      await expireOrder(c.t, order.id);
      expect(await orderStatus(c, order.id)).toBe('cancelled');
      c.driver.pay(payment);
      c.driver.expectAccepted(await post(c.driver.succeeded(payment)));
      await eventually(async () => {
        expect(await paymentRow(c.t, payment.id)).toMatchObject({
          status: 'refunded',
          refunded_minor: 2500,
        });
      });
      expect(c.driver.refundsMade(payment)).toBe(1);
      expect(await orderStatus(c, order.id)).toBe('cancelled');
      expect(await stockOf(c.t, product.id)).toEqual({ stock: 100, sales: 0 });
      await c.smtp.waitFor(c.alice.email, new RegExp(`Refund for order ${order.id}`));
    });

    it('cancelling a paid order refunds it once, with one refund key, even when the first refund calls fail', async () => {
      const c = context();
      const { order, payment } = await pendingPayment(c);
      c.driver.pay(payment);
      c.driver.expectAccepted(await post(c.driver.succeeded(payment)));
      expect(await orderStatus(c, order.id)).toBe('paid');
      // Three failures fail the job's first attempt (its call and two retries), the fourth its second.
      c.driver.failRefunds(4);
      const cancel = await c.t.http
        .put(`/api/orders/${order.id}/cancel`)
        .set('Authorization', c.alice.bearer);
      expect(cancel.body.data).toMatchObject({ status: 'cancelled', cancel_reason: 'user' });
      await eventually(async () => {
        expect((await paymentRow(c.t, payment.id)).status).toBe('refunded');
      }, 20_000);
      const keys = c.driver.refundCalls(payment);
      expect(keys.length).toBeGreaterThanOrEqual(5);
      expect(new Set(keys)).toEqual(new Set([`refund-${payment.id}`]));
      expect(c.driver.refundsMade(payment)).toBe(1);
      await c.smtp.waitFor(c.alice.email, new RegExp(`Refund for order ${order.id}`));
    });
  });

  describe('a lost notification', () => {
    it('is settled by reconciliation from the provider’s answer: the order paid, no event recorded', async () => {
      const c = context();
      const { product, order, payment } = await pendingPayment(c);
      c.driver.pay(payment);
      await c.t.db.query(
        `UPDATE payments SET checked_at = now() - interval '1 day' WHERE id = $1`,
        [payment.id],
      );
      await c.t.app.get(PaymentReconciler).reconcile();
      expect(await orderStatus(c, order.id)).toBe('paid');
      expect((await paymentRow(c.t, payment.id)).status).toBe('succeeded');
      expect(await stockOf(c.t, product.id)).toEqual({ stock: 98, sales: 2 });
      expect(await eventsOf(c.t, payment.id)).toEqual([]);
    });
  });

  describe('the provider down', () => {
    it('fails its calls until its circuit opens; then creating a payment is 503 and the other routes answer', async () => {
      const c = context();
      const open = await Promise.all([pendingPayment(c), pendingPayment(c)]);
      const next = await createOrder(c.t, c.alice, [
        { product_id: open[0].product.id, quantity: 1 },
      ]);
      await c.driver.down();
      try {
        // The payment timeout's look-ups fail (each call and its retries) until the failures
        // outweigh the rolling window's earlier successes and open the circuit.
        for (const { order } of open) await expireOrder(c.t, order.id);
        await eventually(async () => {
          if ((await circuitOf(c.t, c.driver.name)) !== 2) await c.t.app.get(OrderSweeper).sweep();
          expect(await circuitOf(c.t, c.driver.name)).toBe(2);
        });
        for (const { order } of open) expect(await orderStatus(c, order.id)).toBe('pending');
        expectError(await startPayment(c.t, c.alice, next.id, c.driver.name), 503);
        expect((await c.t.http.get('/api/products?page_size=1')).status).toBe(200);
        expect((await c.t.http.get('/health/ready')).status).toBe(200);
        const cancelled = await c.t.http
          .put(`/api/orders/${next.id}/cancel`)
          .set('Authorization', c.alice.bearer);
        expect(cancelled.status).toBe(200);
      } finally {
        await c.driver.up();
      }
    });
  });
}
