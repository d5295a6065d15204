import { AlipayRequestError, AlipaySdk, type AlipaySdkCommonResult } from 'alipay-sdk';
import type { AppConfig } from '../../../config/app-config.js';
import { fromCents, toCents } from '../../../common/money.js';
import {
  type CreatedPayment,
  type IncomingNotification,
  isEventId,
  type PaymentProvider,
  type PaymentProviderAdapter,
  type PaymentRequest,
  ProviderError,
  type ProviderEventKind,
  type ProviderLookup,
  type ProviderPayment,
  type RefundRequest,
  type RefundResult,
  type VerifiedNotification,
  type WebhookAnswer,
  type WebhookResult,
} from '../payment-provider.js';
import { requireKey } from './provider-keys.js';
import { requireSetting } from './provider-settings.js';

const PROVIDER = 'alipay';
const REQUEST_TIMEOUT_MS = 8000;
/** Alipay takes yuan here: every amount is CNY. */
const CURRENCY = 'CNY';

/** Alipay's own failure (20000 "service unavailable", ACQ.SYSTEM_ERROR): try again. */
const isRetryableAnswer = (result: AlipaySdkCommonResult): boolean =>
  result.code === '20000' || result.sub_code === 'ACQ.SYSTEM_ERROR';

/** The amount of a decimal yuan string, in fen; null when it is not one. */
export function fenOf(amount: string | null): number | null {
  if (amount === null || !/^\d{1,10}(\.\d{1,2})?$/.test(amount)) return null;
  return toCents(amount);
}

/** A notification's trade_status (and refund_fee) in the shop's terms, or null: not acted on. */
function kindOf(form: URLSearchParams): ProviderEventKind | null {
  const refunded = form.has('refund_fee');
  switch (form.get('trade_status')) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      // With refund_fee: a partial refund (made in Alipay's back office), not the shop's.
      return refunded ? null : 'succeeded';
    case 'TRADE_CLOSED':
      // A trade refunded in full closes; one never paid closes when it times out.
      return refunded ? 'refunded' : 'cancelled';
    default:
      return null;
  }
}

/**
 * Alipay through its official SDK (alipay-sdk 4, OpenAPI gateway, RSA2): page pay is a
 * signed redirect URL built locally (alipay.trade.page.pay, `total_amount` in yuan from the
 * integer fen, `out_trade_no` = the payment id, which is also the provider reference), so
 * creating a payment makes no call (it answers 503 only while the circuit is open from other
 * calls failing). Refunds (alipay.trade.refund, out_request_no = the refund key: a retry
 * refunds once), look-ups (alipay.trade.query) and closing (alipay.trade.close) are calls whose
 * answers must carry Alipay's signature. The asynchronous notification is a form verified
 * with ALIPAY_PUBLIC_KEY (checkNotifySignV2 over the decoded fields), for this app_id.
 */
class AlipayProvider implements PaymentProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly sdk: AlipaySdk,
    private readonly appId: string,
  ) {}

  create(request: PaymentRequest): Promise<CreatedPayment> {
    const url = this.sdk.pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: {
        out_trade_no: request.id,
        total_amount: fromCents(request.amountMinor),
        subject: request.description.slice(0, 256),
        product_code: 'FAST_INSTANT_TRADE_PAY',
      },
      notifyUrl: request.notifyUrl,
      returnUrl: request.returnUrl,
    });
    return Promise.resolve({
      providerReference: request.id,
      clientAction: { type: 'redirect', url },
    });
  }

  verify({ rawBody }: IncomingNotification): Promise<VerifiedNotification> {
    return Promise.resolve(this.verifySync(new URLSearchParams(rawBody.toString('utf8'))));
  }

  private verifySync(form: URLSearchParams): VerifiedNotification {
    const fields: Record<string, string> = {};
    for (const [key, value] of form) {
      if (key in fields) return { outcome: 'rejected', reason: `repeated field ${key}` };
      fields[key] = value;
    }
    if (fields.sign_type !== 'RSA2')
      return { outcome: 'rejected', reason: 'sign_type is not RSA2' };
    if (!this.sdk.checkNotifySignV2(fields)) {
      return { outcome: 'rejected', reason: 'signature does not match' };
    }
    const eventId = fields.notify_id ?? '';
    if (fields.app_id !== this.appId || !isEventId(eventId)) {
      return { outcome: 'rejected', reason: 'not a notification for this app' };
    }
    const kind = kindOf(form);
    if (!kind) return { outcome: 'ignored', eventId, type: fields.trade_status ?? 'none' };
    const amount = fenOf(form.get(kind === 'refunded' ? 'refund_fee' : 'total_amount'));
    if (amount === null || !/^[A-Za-z0-9_]{1,64}$/.test(fields.out_trade_no ?? '')) {
      return { outcome: 'rejected', reason: 'no out_trade_no or amount' };
    }
    return {
      outcome: 'event',
      event: {
        eventId,
        kind,
        payment: { id: fields.out_trade_no ?? '' },
        amountMinor: amount,
        currency: CURRENCY,
      },
    };
  }

  async refund({ payment, amountMinor, idempotencyKey }: RefundRequest): Promise<RefundResult> {
    // fund_change "N" on a retry: this out_request_no refunded already; the money moved once.
    await this.exec('alipay.trade.refund', {
      out_trade_no: payment.id,
      refund_amount: fromCents(amountMinor),
      out_request_no: idempotencyKey,
    });
    return 'refunded';
  }

  async lookup(payment: ProviderPayment): Promise<ProviderLookup> {
    let trade: AlipaySdkCommonResult;
    try {
      trade = await this.exec('alipay.trade.query', { out_trade_no: payment.id });
    } catch (error) {
      // The customer has not opened the payment page yet: Alipay has no trade.
      if (error instanceof AlipayRefusal && error.subCode === 'ACQ.TRADE_NOT_EXIST') {
        return {
          status: 'pending',
          refunded: false,
          amountMinor: payment.amountMinor,
          currency: payment.currency,
        };
      }
      throw error;
    }
    const amountMinor = fenOf(typeof trade.total_amount === 'string' ? trade.total_amount : null);
    const base = { amountMinor: amountMinor ?? -1, currency: CURRENCY, refunded: false };
    switch (trade.trade_status) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return { ...base, status: 'succeeded' };
      case 'TRADE_CLOSED':
        // Paid, then refunded in full; or closed unpaid.
        return trade.send_pay_date
          ? { ...base, status: 'succeeded', refunded: true }
          : { ...base, status: 'cancelled' };
      case 'WAIT_BUYER_PAY':
        return { ...base, status: 'pending' };
      default:
        throw new ProviderError(PROVIDER, `unknown trade_status ${trade.trade_status}`, true);
    }
  }

  async cancel(payment: ProviderPayment): Promise<'cancelled' | 'succeeded'> {
    try {
      await this.exec('alipay.trade.close', { out_trade_no: payment.id });
      return 'cancelled';
    } catch (error) {
      if (!(error instanceof AlipayRefusal)) throw error;
      // Never opened: nothing to close (a late payment of it would be refunded as unpayable).
      if (error.subCode === 'ACQ.TRADE_NOT_EXIST') return 'cancelled';
      return (await this.lookup(payment)).status === 'succeeded' ? 'succeeded' : 'cancelled';
    }
  }

  answer(result: WebhookResult): WebhookAnswer {
    const accepted = result !== 'rejected';
    return {
      format: 'raw',
      status: accepted ? 200 : 400,
      contentType: 'text/plain',
      body: accepted ? 'success' : 'fail',
    };
  }

  /** One gateway call; its answer verified against Alipay's signature (validateSign). */
  private async exec(
    method: string,
    bizContent: Record<string, string>,
  ): Promise<AlipaySdkCommonResult> {
    let result: AlipaySdkCommonResult;
    try {
      result = await this.sdk.exec(method, { bizContent }, { validateSign: true });
    } catch (error) {
      const message =
        error instanceof AlipayRequestError ? error.message.slice(0, 200) : String(error);
      throw new ProviderError(PROVIDER, `${method}: ${message}`, true);
    }
    if (result.code === '10000') return result;
    if (isRetryableAnswer(result)) {
      throw new ProviderError(PROVIDER, `${method}: ${result.code} ${result.sub_code}`, true);
    }
    throw new AlipayRefusal(method, result);
  }
}

/** Alipay refused the request itself (40004 and the like): not retried, not its failure. */
class AlipayRefusal extends ProviderError {
  readonly subCode: string | undefined;

  constructor(method: string, result: AlipaySdkCommonResult) {
    super(PROVIDER, `${method}: ${result.code} ${result.sub_code ?? result.msg}`, false);
    this.subCode = typeof result.sub_code === 'string' ? result.sub_code : undefined;
  }
}

export const alipayAdapter: PaymentProviderAdapter = {
  name: PROVIDER,
  currencies: [CURRENCY],
  create: ({ payments: { alipay } }: AppConfig) => {
    const appId = requireSetting(alipay.appId, 'ALIPAY_APP_ID', PROVIDER);
    const privateKey = requireKey(alipay.privateKey, 'ALIPAY_PRIVATE_KEY', PROVIDER, 'private');
    const publicKey = requireKey(alipay.publicKey, 'ALIPAY_PUBLIC_KEY', PROVIDER, 'public');
    const sdk = new AlipaySdk({
      appId,
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      keyType: 'PKCS8',
      alipayPublicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      gateway: alipay.gateway,
      signType: 'RSA2',
      timeout: REQUEST_TIMEOUT_MS,
      camelcase: false,
    });
    return new AlipayProvider(sdk, appId);
  },
};
