import { describe, expect, it } from 'vitest';
import { PaymentReconciler } from '../../src/modules/payments/payment-reconciler.js';
import { stockOf } from '../support/factories.js';
import { paymentRow, type Payment } from '../support/payments.js';
import {
  orderStatus,
  pendingPayment,
  postNote,
  providerApp,
  providerScenarios,
  type ProviderDriver,
} from '../support/provider-scenarios.js';
import { eventually } from '../support/smtp-sink.js';
import {
  WECHATPAY_TEST_APP_ID,
  WECHATPAY_TEST_MCH_ID,
  WechatPayStandIn,
} from '../support/wechatpay-stand-in.js';

let wechat: WechatPayStandIn;

const JSON_TYPE = 'application/json';
const REFUNDS = '/v3/refund/domestic/refunds';

const refundsOf = (payment: Payment) =>
  [...wechat.refunds.values()].filter((r) => r.out_trade_no === payment.id);

const driver = (): ProviderDriver => ({
  name: 'wechatpay',
  contentType: JSON_TYPE,
  pay: (payment) => {
    wechat.pay(payment.id);
  },
  succeeded: (payment) => wechat.paidNotification(payment.id),
  refused: (payment) => {
    const genuine = wechat.paidNotification(payment.id);
    return [
      wechat.paidNotification(payment.id, {}, { privateKey: wechat.merchantKeys.privateKey }),
      wechat.paidNotification(payment.id, {}, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      { ...genuine, body: genuine.body.replace('"summary":"', '"summary":"x') },
      wechat.paidNotification(payment.id, { amount: { total: 2499, currency: 'CNY' } }),
      wechat.paidNotification(payment.id, { amount: { total: 2500, currency: 'USD' } }),
      wechat.paidNotification(payment.id, {}, { apiV3Key: 'another-api-v3-key-of-32-bytes!!' }),
      wechat.paidNotification(payment.id, { mchid: '1900000110' }),
      wechat.paidNotification(payment.id, { appid: 'wx0000000000000000' }),
      wechat.paidNotification(payment.id, { out_trade_no: 'NoSuchPayment000000000' }),
      { ...genuine, headers: {} },
    ];
  },
  expectAccepted: (res) => {
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  },
  expectRefused: (res) => {
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ code: 'FAIL', message: expect.any(String) });
  },
  refundCalls: (payment) =>
    wechat
      .requestsTo('POST', REFUNDS)
      .filter((r) => r.body.out_trade_no === payment.id)
      .map((r) => String(r.body.out_refund_no)),
  refundsMade: (payment) => refundsOf(payment).length,
  failRefunds: (times) => {
    wechat.failPath('POST', REFUNDS, times);
  },
  down: () => wechat.down(),
  up: () => wechat.up(),
});

const context = providerApp('wechatpay', async () => {
  wechat = await WechatPayStandIn.start();
  return { env: wechat.env(), driver: driver(), stop: () => wechat.down() };
});

const post = (note: { body: string; headers: Record<string, string>; id: string }) =>
  postNote(context().t, 'wechatpay', JSON_TYPE, note);

describe('a WeChat Pay payment', () => {
  it('is a signed Native order in fen, out_trade_no the payment id, shown as its code_url, paid by its signed and encrypted notification', async () => {
    const { t, smtp, alice } = context();
    const { product, order, payment } = await pendingPayment(context(), 3, 0.1);
    const [create] = wechat
      .requestsTo('POST', '/v3/pay/transactions/native')
      .filter((r) => r.body.out_trade_no === payment.id);
    expect(create?.body).toEqual({
      appid: WECHATPAY_TEST_APP_ID,
      mchid: WECHATPAY_TEST_MCH_ID,
      description: `Order ${order.id}`,
      out_trade_no: payment.id,
      notify_url: 'https://shop.example/api/payments/webhooks/wechatpay',
      amount: { total: 30, currency: 'CNY' },
    });
    expect(payment).toMatchObject({
      status: 'pending',
      amount: 0.3,
      currency: 'CNY',
      provider_reference: payment.id,
      client_action: { type: 'qr_code', code_url: wechat.order(payment.id).code_url },
    });

    wechat.pay(payment.id);
    const res = await post(wechat.paidNotification(payment.id));
    expect(res.status).toBe(204);
    expect(await orderStatus(context(), order.id)).toBe('paid');
    expect(await stockOf(t, product.id)).toEqual({ stock: 97, sales: 3 });
    await smtp.waitFor(alice.email, new RegExp(`Receipt for order ${order.id}`));
  });

  it('never believes an answer not signed by WeChat Pay: the call is retried, with the same out_trade_no', async () => {
    wechat.forgeAnswers = 1;
    const { payment } = await pendingPayment(context());
    const creates = wechat
      .requestsTo('POST', '/v3/pay/transactions/native')
      .filter((r) => r.body.out_trade_no === payment.id);
    expect(creates).toHaveLength(2);
    expect(wechat.forgeAnswers).toBe(0);
    expect(payment.client_action).toEqual({
      type: 'qr_code',
      code_url: wechat.order(payment.id).code_url,
    });
  });

  it('a refund WeChat Pay answers PROCESSING completes with its REFUND.SUCCESS notification', async () => {
    const { t, admin } = context();
    const { order, payment } = await pendingPayment(context());
    wechat.pay(payment.id);
    await post(wechat.paidNotification(payment.id));
    wechat.refundStatus = 'PROCESSING';
    try {
      await t.http.put(`/api/orders/${order.id}/cancel`).set('Authorization', admin.bearer);
      await eventually(() => {
        expect(refundsOf(payment)).toHaveLength(1);
      });
      expect((await paymentRow(t, payment.id)).status).toBe('refund_pending');
      const [refund] = refundsOf(payment);
      const done = wechat.notification('REFUND.SUCCESS', {
        mchid: WECHATPAY_TEST_MCH_ID,
        out_trade_no: payment.id,
        refund_id: refund?.refund_id,
        out_refund_no: refund?.out_refund_no,
        refund_status: 'SUCCESS',
        amount: { total: 2500, refund: 2500, payer_total: 2500, payer_refund: 2500 },
      });
      expect((await post(done)).status).toBe(204);
      expect(await paymentRow(t, payment.id)).toMatchObject({
        status: 'refunded',
        refunded_minor: 2500,
      });
    } finally {
      wechat.refundStatus = 'SUCCESS';
    }
  });
});

describe('a WeChat Pay refund whose REFUND.SUCCESS was lost', () => {
  it('is confirmed by reconciliation from the look-up of its out_refund_no', async () => {
    const { t } = context();
    const { order, payment } = await pendingPayment(context());
    wechat.pay(payment.id);
    await post(wechat.paidNotification(payment.id));
    wechat.refundStatus = 'PROCESSING';
    try {
      await t.http
        .put(`/api/orders/${order.id}/cancel`)
        .set('Authorization', context().alice.bearer);
      await eventually(() => {
        expect(refundsOf(payment)).toHaveLength(1);
      });
      const reconcile = async () => {
        await t.db.query(
          `UPDATE payments SET checked_at = now() - interval '1 day' WHERE id = $1`,
          [payment.id],
        );
        await t.app.get(PaymentReconciler).reconcile();
      };
      await reconcile();
      expect((await paymentRow(t, payment.id)).status).toBe('refund_pending');
      // Not refunded yet: the refund is queued again, with the same out_refund_no.
      await eventually(() => {
        expect(driver().refundCalls(payment)).toEqual([
          `refund-${payment.id}`,
          `refund-${payment.id}`,
        ]);
      });
      const [refund] = refundsOf(payment);
      if (refund) refund.status = 'SUCCESS';
      await reconcile();
      expect((await paymentRow(t, payment.id)).status).toBe('refunded');
      expect(
        wechat.requestsTo('GET', `/v3/refund/domestic/refunds/refund-${payment.id}`).length,
      ).toBe(2);
    } finally {
      wechat.refundStatus = 'SUCCESS';
    }
  });
});

providerScenarios(context);
