import { describe, expect, it } from 'vitest';
import { PaymentReconciler } from '../../src/modules/payments/payment-reconciler.js';
import { AlipayStandIn, ALIPAY_TEST_APP_ID } from '../support/alipay-stand-in.js';
import { stockOf } from '../support/factories.js';
import { paymentRow, type Payment } from '../support/payments.js';
import { eventually } from '../support/smtp-sink.js';
import {
  orderStatus,
  pendingPayment,
  postNote,
  providerApp,
  providerScenarios,
  type Note,
  type ProviderDriver,
} from '../support/provider-scenarios.js';

let alipay: AlipayStandIn;

const FORM = 'application/x-www-form-urlencoded';
const note = ({ body, id }: { body: string; id: string }): Note => ({ body, id, headers: {} });
const redirectOf = (payment: Payment): string => payment.client_action?.url ?? '';

const driver = (): ProviderDriver => ({
  name: 'alipay',
  contentType: FORM,
  pay: (payment) => {
    alipay.open(redirectOf(payment));
    alipay.pay(payment.id);
  },
  succeeded: (payment) => note(alipay.notification(payment.id)),
  refused: (payment) => {
    const genuine = alipay.notification(payment.id);
    return [
      // Signed with a key that is not Alipay's.
      note(alipay.notification(payment.id, {}, alipay.appKeys.privateKey)),
      {
        ...note(genuine),
        body: genuine.body.replace('receipt_amount=25.00', 'receipt_amount=0.01'),
      },
      note(alipay.notification(payment.id, { total_amount: '24.99' })),
      note(alipay.notification(payment.id, { app_id: '2021000000000002' })),
      note(alipay.notification(payment.id, { out_trade_no: 'NoSuchPayment000000000' })),
      note(alipay.notification(payment.id, { total_amount: '25.000' })),
      { ...note(genuine), body: '' },
    ];
  },
  expectAccepted: (res) => {
    expect(res.status).toBe(200);
    expect(res.text).toBe('success');
  },
  expectRefused: (res) => {
    expect(res.status).toBe(400);
    expect(res.text).toBe('fail');
  },
  refundCalls: (payment) =>
    alipay.callsOf('alipay.trade.refund', payment.id).map((c) => c.biz.out_request_no ?? ''),
  refundsMade: (payment) => alipay.trade(payment.id).refunds.size,
  failRefunds: (times) => {
    alipay.failMethod('alipay.trade.refund', times);
  },
  down: () => alipay.down(),
  up: () => alipay.up(),
});

const context = providerApp('alipay', async () => {
  alipay = await AlipayStandIn.start();
  return { env: alipay.env(), driver: driver(), stop: () => alipay.down() };
});

describe('an Alipay payment', () => {
  it('is a page-pay redirect signed with the app key, in yuan, out_trade_no the payment id, paid by its signed notification', async () => {
    const { t, smtp, alice } = context();
    const { product, order, payment } = await pendingPayment(context(), 3, 0.1);
    expect(payment).toMatchObject({
      status: 'pending',
      amount: 0.3,
      currency: 'CNY',
      provider_reference: payment.id,
      client_action: { type: 'redirect', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1/) },
    });
    const { fields, biz } = alipay.open(redirectOf(payment));
    expect(fields).toMatchObject({
      app_id: ALIPAY_TEST_APP_ID,
      method: 'alipay.trade.page.pay',
      sign_type: 'RSA2',
      charset: 'utf-8',
      notify_url: 'https://shop.example/api/payments/webhooks/alipay',
      return_url: `https://shop.example/orders/${order.id}`,
    });
    expect(biz).toMatchObject({
      out_trade_no: payment.id,
      total_amount: '0.30',
      product_code: 'FAST_INSTANT_TRADE_PAY',
    });

    alipay.pay(payment.id);
    const res = await postNote(t, 'alipay', FORM, note(alipay.notification(payment.id)));
    expect(res.status).toBe(200);
    expect(res.text).toBe('success');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(await orderStatus(context(), order.id)).toBe('paid');
    expect(await stockOf(t, product.id)).toEqual({ stock: 97, sales: 3 });
    await smtp.waitFor(alice.email, new RegExp(`Receipt for order ${order.id}`));
  });

  it('acknowledges WAIT_BUYER_PAY without acting, and a trade closed unpaid cancels the payment', async () => {
    const { t } = context();
    const { order, payment } = await pendingPayment(context());
    alipay.open(redirectOf(payment));
    const waiting = note(alipay.notification(payment.id));
    expect((await postNote(t, 'alipay', FORM, waiting)).text).toBe('success');
    expect((await paymentRow(t, payment.id)).status).toBe('pending');
    alipay.trade(payment.id).trade_status = 'TRADE_CLOSED';
    const closed = note(alipay.notification(payment.id));
    expect((await postNote(t, 'alipay', FORM, closed)).text).toBe('success');
    expect((await paymentRow(t, payment.id)).status).toBe('cancelled');
    expect(await orderStatus(context(), order.id)).toBe('pending');
  });

  it('a trade closed before the customer opened its page and paid afterwards is refunded once, the order left cancelled', async () => {
    const { t, smtp, alice } = context();
    const { product, order, payment } = await pendingPayment(context());
    const cancel = await t.http
      .put(`/api/orders/${order.id}/cancel`)
      .set('Authorization', alice.bearer);
    expect(cancel.status).toBe(200);
    // Reconciliation closes the payment at Alipay, which has no trade yet (ACQ.TRADE_NOT_EXIST).
    await t.db.query(`UPDATE payments SET checked_at = now() - interval '1 day' WHERE id = $1`, [
      payment.id,
    ]);
    await t.app.get(PaymentReconciler).reconcile();
    expect((await paymentRow(t, payment.id)).status).toBe('cancelled');

    // The customer still had the page open: Alipay makes the trade and takes the money.
    alipay.open(redirectOf(payment));
    alipay.pay(payment.id);
    const res = await postNote(t, 'alipay', FORM, note(alipay.notification(payment.id)));
    expect(res.text).toBe('success');
    await eventually(async () => {
      expect(await paymentRow(t, payment.id)).toMatchObject({
        status: 'refunded',
        refunded_minor: 2500,
      });
    });
    expect(alipay.trade(payment.id).refunds.size).toBe(1);
    expect(await orderStatus(context(), order.id)).toBe('cancelled');
    expect(await stockOf(t, product.id)).toEqual({ stock: 100, sales: 0 });
    await smtp.waitFor(alice.email, new RegExp(`Refund for order ${order.id}`));
  });
});

providerScenarios(context);
