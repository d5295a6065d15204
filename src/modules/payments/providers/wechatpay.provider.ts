import type { KeyObject } from 'node:crypto';
import type { AppConfig } from '../../../config/app-config.js';
import { ConfigError } from '../../../config/load-config.js';
import { refundKey } from '../payment-events.js';
import {
  type CreatedPayment,
  type IncomingNotification,
  isEventId,
  type PaymentProvider,
  type PaymentProviderAdapter,
  type PaymentRequest,
  ProviderError,
  type ProviderLookup,
  type ProviderPayment,
  type RefundRequest,
  type RefundResult,
  type VerifiedNotification,
  type WebhookAnswer,
  type WebhookResult,
} from '../payment-provider.js';
import { requireKey } from './provider-keys.js';
import { headerOf, requireSetting } from './provider-settings.js';
import {
  authorization,
  decryptResource,
  signatureProblem,
  type EncryptedResource,
  type Merchant,
} from './wechatpay-signing.js';

const PROVIDER = 'wechatpay';
const REQUEST_TIMEOUT_MS = 8000;

interface WechatPaySettings extends Merchant {
  appId: string;
  apiV3Key: string;
  platformKey: KeyObject;
  apiBase: string;
}

interface Notification {
  id: string;
  event_type: string;
  resource: EncryptedResource;
}

interface Transaction {
  mchid?: string;
  appid?: string;
  out_trade_no?: string;
  trade_state?: string;
  amount?: { total?: number; currency?: string };
}

interface Refund {
  mchid?: string;
  out_trade_no?: string;
  refund_status?: string;
  status?: string;
  amount?: { refund?: number; total?: number };
}

const isNotification = (value: unknown): value is Notification => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const resource = v.resource as Record<string, unknown> | null | undefined;
  return (
    isEventId(v.id) &&
    typeof v.event_type === 'string' &&
    typeof resource?.ciphertext === 'string' &&
    typeof resource.nonce === 'string' &&
    typeof resource.algorithm === 'string'
  );
};

/** trade_state in the shop's terms (REFUND: it was paid, and a refund was started). */
const STATES: Record<string, ProviderLookup['status']> = {
  SUCCESS: 'succeeded',
  REFUND: 'succeeded',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  CLOSED: 'cancelled',
  REVOKED: 'cancelled',
  PAYERROR: 'failed',
};

/** JSON, or null when it is not. */
const parse = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/**
 * WeChat Pay API v3, Native payments, over HTTPS with node:crypto (no package does this with a
 * configurable base URL and without its own HTTP stack): every request signed with the
 * merchant key (WECHATPAY2-SHA256-RSA2048), every answer and notification verified with the
 * platform public key and 5 minutes' tolerance, notification resources decrypted with the API
 * v3 key. The payment id is the out_trade_no (and so the provider reference): look-ups, close
 * and refunds go by it. A refund's out_refund_no is the refund key, stable across retries.
 */
class WechatPayProvider implements PaymentProvider {
  readonly name = PROVIDER;

  constructor(private readonly settings: WechatPaySettings) {}

  async create(request: PaymentRequest): Promise<CreatedPayment> {
    const answer = await this.call<{ code_url?: string }>('POST', '/v3/pay/transactions/native', {
      appid: this.settings.appId,
      mchid: this.settings.mchId,
      description: request.description.slice(0, 127),
      out_trade_no: request.id,
      notify_url: request.notifyUrl,
      amount: { total: request.amountMinor, currency: request.currency },
    });
    if (typeof answer.code_url !== 'string') {
      throw new ProviderError(PROVIDER, 'the Native order came without a code_url', true);
    }
    return {
      providerReference: request.id,
      clientAction: { type: 'qr_code', code_url: answer.code_url },
    };
  }

  verify({ rawBody, headers }: IncomingNotification): Promise<VerifiedNotification> {
    return Promise.resolve(this.verifySync(rawBody.toString('utf8'), headers));
  }

  private verifySync(body: string, headers: IncomingNotification['headers']): VerifiedNotification {
    const problem = signatureProblem(this.settings.platformKey, signatureHeaders(headers), body);
    if (problem) return { outcome: 'rejected', reason: problem };
    const note = parse(body);
    if (!isNotification(note)) return { outcome: 'rejected', reason: 'not a notification' };
    let resource: (Transaction & Refund) | null;
    try {
      resource = parse(decryptResource(this.settings.apiV3Key, note.resource)) as
        (Transaction & Refund) | null;
    } catch (error) {
      return { outcome: 'rejected', reason: `resource: ${(error as Error).message}` };
    }
    if (resource?.mchid !== this.settings.mchId || typeof resource.out_trade_no !== 'string') {
      return { outcome: 'rejected', reason: 'resource is not for this merchant' };
    }
    const payment = { id: resource.out_trade_no };
    if (note.event_type === 'TRANSACTION.SUCCESS' && resource.trade_state === 'SUCCESS') {
      if (resource.appid !== this.settings.appId) {
        return { outcome: 'rejected', reason: 'transaction is not for this app' };
      }
      return {
        outcome: 'event',
        event: {
          eventId: note.id,
          kind: 'succeeded',
          payment,
          amountMinor: resource.amount?.total ?? -1,
          currency: resource.amount?.currency ?? '',
        },
      };
    }
    if (note.event_type === 'REFUND.SUCCESS' && resource.refund_status === 'SUCCESS') {
      // Refunds are in the trade's currency, which a refund notification does not repeat.
      return {
        outcome: 'event',
        event: {
          eventId: note.id,
          kind: 'refunded',
          payment,
          amountMinor: resource.amount?.refund ?? -1,
          currency: 'CNY',
        },
      };
    }
    return { outcome: 'ignored', eventId: note.id, type: note.event_type };
  }

  async refund({ payment, amountMinor, idempotencyKey }: RefundRequest): Promise<RefundResult> {
    const refund = await this.call<Refund>('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: payment.id,
      out_refund_no: idempotencyKey,
      amount: { refund: amountMinor, total: payment.amountMinor, currency: payment.currency },
    });
    if (refund.status === 'SUCCESS') return 'refunded';
    if (refund.status === 'PROCESSING') return 'pending';
    throw new ProviderError(PROVIDER, `refund ${idempotencyKey} is ${refund.status}`, false);
  }

  async lookup(payment: ProviderPayment): Promise<ProviderLookup> {
    const trade = await this.call<Transaction>(
      'GET',
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(payment.id)}?mchid=${encodeURIComponent(this.settings.mchId)}`,
    );
    const status = STATES[trade.trade_state ?? ''];
    if (!status) {
      throw new ProviderError(PROVIDER, `unknown trade_state ${trade.trade_state}`, true);
    }
    // An unpaid order's amount is "conditional" in the answer; a paid one's is always there.
    const unpaid = status !== 'succeeded';
    return {
      status,
      refunded: trade.trade_state === 'REFUND' && (await this.refundedInFull(payment)),
      amountMinor: trade.amount?.total ?? (unpaid ? payment.amountMinor : -1),
      currency: trade.amount?.currency ?? (unpaid ? payment.currency : ''),
    };
  }

  /** The shop's refund of it (by its out_refund_no), done; none by that number: not ours. */
  private async refundedInFull(payment: ProviderPayment): Promise<boolean> {
    let refund: Refund;
    try {
      refund = await this.call<Refund>(
        'GET',
        `/v3/refund/domestic/refunds/${encodeURIComponent(refundKey(payment))}`,
      );
    } catch (error) {
      if (error instanceof ProviderError && !error.retryable) return false;
      throw error;
    }
    return refund.status === 'SUCCESS' && refund.amount?.refund === payment.amountMinor;
  }

  async cancel(payment: ProviderPayment): Promise<'cancelled' | 'succeeded'> {
    try {
      await this.call(
        'POST',
        `/v3/pay/transactions/out-trade-no/${encodeURIComponent(payment.id)}/close`,
        { mchid: this.settings.mchId },
      );
      return 'cancelled';
    } catch (error) {
      // Refused (ORDERPAID, say): what it is now decides.
      if (!(error instanceof ProviderError) || error.retryable) throw error;
      return (await this.lookup(payment)).status === 'succeeded' ? 'succeeded' : 'cancelled';
    }
  }

  answer(result: WebhookResult): WebhookAnswer {
    if (result === 'rejected') {
      return {
        format: 'raw',
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'FAIL', message: 'notification not accepted' }),
      };
    }
    return { format: 'raw', status: 204, contentType: 'application/json', body: '' };
  }

  /** One signed request; the answer is believed only when WeChat Pay's signature verifies. */
  private async call<T>(method: 'GET' | 'POST', path: string, payload?: object): Promise<T> {
    const url = new URL(path, this.settings.apiBase);
    const body = payload === undefined ? '' : JSON.stringify(payload);
    let status: number;
    let text: string;
    let headers: Headers;
    try {
      const res = await fetch(url, {
        method,
        headers: {
          authorization: authorization(this.settings, method, url.pathname + url.search, body),
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': 'shop-backend',
        },
        ...(payload === undefined ? {} : { body }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      ({ status, headers } = res);
      text = await res.text();
    } catch (error) {
      throw new ProviderError(PROVIDER, (error as Error).message, true);
    }
    if (status < 200 || status >= 300) {
      const code = (parse(text) as { code?: string } | null)?.code ?? 'no code';
      const retryable = status >= 500 || status === 429 || code === 'SYSTEM_ERROR';
      throw new ProviderError(PROVIDER, `${method} ${url.pathname}: ${status} ${code}`, retryable);
    }
    const problem = signatureProblem(
      this.settings.platformKey,
      signatureHeaders(Object.fromEntries(headers)),
      text,
    );
    if (problem) throw new ProviderError(PROVIDER, `answer not authentic: ${problem}`, true);
    return (text === '' ? {} : (parse(text) ?? {})) as T;
  }
}

const signatureHeaders = (headers: IncomingNotification['headers']) => ({
  timestamp: headerOf(headers, 'wechatpay-timestamp'),
  nonce: headerOf(headers, 'wechatpay-nonce'),
  signature: headerOf(headers, 'wechatpay-signature'),
});

export const wechatpayAdapter: PaymentProviderAdapter = {
  name: PROVIDER,
  currencies: ['CNY'],
  create: ({ payments: { wechatpay } }: AppConfig) => {
    // Read in the documented order, so the first one missing is the one named.
    const setting = (value: string | undefined, variable: string) =>
      requireSetting(value, variable, PROVIDER);
    const mchId = setting(wechatpay.mchId, 'WECHATPAY_MCH_ID');
    const appId = setting(wechatpay.appId, 'WECHATPAY_APP_ID');
    const serialNo = setting(wechatpay.serialNo, 'WECHATPAY_SERIAL_NO');
    const privateKey = requireKey(
      wechatpay.privateKey,
      'WECHATPAY_PRIVATE_KEY',
      PROVIDER,
      'private',
    );
    const apiV3Key = setting(wechatpay.apiV3Key, 'WECHATPAY_API_V3_KEY');
    if (Buffer.byteLength(apiV3Key, 'utf8') !== 32) {
      throw new ConfigError('Invalid configuration: WECHATPAY_API_V3_KEY must be 32 bytes');
    }
    const platformKey = requireKey(
      wechatpay.platformPublicKey,
      'WECHATPAY_PLATFORM_PUBLIC_KEY',
      PROVIDER,
      'public',
    );
    return new WechatPayProvider({
      mchId,
      appId,
      serialNo,
      privateKey,
      apiV3Key,
      platformKey,
      apiBase: wechatpay.apiBase,
    });
  },
};
