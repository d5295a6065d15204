import { createCipheriv, createSign, createVerify, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { rsaKeyPair, StandInServer, type StandInRequest } from './stand-in-server.js';

export const WECHATPAY_TEST_MCH_ID = '1900000109';
export const WECHATPAY_TEST_APP_ID = 'wxd678efh567hg6787';
const SERIAL_NO = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';

export interface WechatOrder {
  out_trade_no: string;
  appid: string;
  mchid: string;
  description: string;
  notify_url: string;
  amount: { total: number; currency: string };
  code_url: string;
  trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  transaction_id?: string;
  success_time?: string;
}

export interface WechatRefund {
  refund_id: string;
  out_refund_no: string;
  out_trade_no: string;
  status: 'SUCCESS' | 'PROCESSING';
  amount: { total: number; refund: number; currency: string };
}

type NativeRequest = Pick<
  WechatOrder,
  'appid' | 'mchid' | 'description' | 'out_trade_no' | 'notify_url' | 'amount'
>;

interface RefundRequest {
  out_refund_no: string;
  out_trade_no: string;
  amount: { refund: number; total: number; currency: string };
}

export interface SignedNotification {
  body: string;
  headers: Record<string, string>;
  id: string;
}

const nonce = (): string => randomBytes(16).toString('hex');

/**
 * A local stand-in for WeChat Pay API v3 (Native orders, look-ups by out_trade_no, close,
 * domestic refunds and their look-ups): every request's Authorization must be the merchant's
 * WECHATPAY2-SHA256-RSA2048 signature (checked with the merchant public key), every answer is
 * signed with the platform key (Wechatpay-Timestamp/-Nonce/-Signature/-Serial), and it posts
 * notifications as WeChat Pay does: signed, the resource encrypted with AEAD_AES_256_GCM under
 * the API v3 key. A repeated out_trade_no or out_refund_no answers the first order or refund.
 */
export class WechatPayStandIn extends StandInServer {
  readonly merchantKeys = rsaKeyPair();
  readonly platformKeys = rsaKeyPair();
  readonly apiV3Key = randomBytes(16).toString('hex');
  readonly orders = new Map<string, WechatOrder>();
  readonly refunds = new Map<string, WechatRefund>();
  /** What a new refund answers: final at once, or PROCESSING until REFUND.SUCCESS. */
  refundStatus: WechatRefund['status'] = 'SUCCESS';
  /** The next this many answers are signed with a key that is not the platform's. */
  forgeAnswers = 0;

  static async start(): Promise<WechatPayStandIn> {
    const standIn = new WechatPayStandIn();
    await standIn.up();
    return standIn;
  }

  env(): NodeJS.ProcessEnv {
    return {
      WECHATPAY_MCH_ID: WECHATPAY_TEST_MCH_ID,
      WECHATPAY_APP_ID: WECHATPAY_TEST_APP_ID,
      WECHATPAY_SERIAL_NO: SERIAL_NO,
      WECHATPAY_PRIVATE_KEY: this.merchantKeys.privateKey,
      WECHATPAY_API_V3_KEY: this.apiV3Key,
      WECHATPAY_PLATFORM_PUBLIC_KEY: this.platformKeys.publicKey,
      WECHATPAY_API_BASE: this.url,
    };
  }

  /** The next `times` requests to paths starting with `path` answer 500 SYSTEM_ERROR. */
  failPath(method: string, path: string, times: number): void {
    this.fail((r) => r.method === method && r.url.startsWith(path), times);
  }

  requestsTo(method: string, path: string): { url: string; body: Record<string, unknown> }[] {
    return this.received
      .filter((r) => r.method === method && r.url.startsWith(path))
      .map((r) => ({
        url: r.url,
        body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {},
      }));
  }

  order(outTradeNo: string): WechatOrder {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`no order ${outTradeNo}`);
    return order;
  }

  /** The customer scans the code and pays (no notification sent). */
  pay(outTradeNo: string): WechatOrder {
    return Object.assign(this.order(outTradeNo), {
      trade_state: 'SUCCESS' as const,
      transaction_id: `4200${randomBytes(12).toString('hex')}`,
      success_time: new Date().toISOString(),
    });
  }

  /** TRANSACTION.SUCCESS for the order as it is (paid); `resource` overrides the transaction. */
  paidNotification(
    outTradeNo: string,
    resource: Record<string, unknown> = {},
    options: NotificationOptions = {},
  ): SignedNotification {
    const order = this.order(outTradeNo);
    return this.notification(
      'TRANSACTION.SUCCESS',
      {
        mchid: order.mchid,
        appid: order.appid,
        out_trade_no: order.out_trade_no,
        transaction_id: order.transaction_id,
        trade_type: 'NATIVE',
        trade_state: order.trade_state,
        trade_state_desc: '支付成功',
        bank_type: 'OTHERS',
        success_time: order.success_time,
        payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
        amount: { ...order.amount, payer_total: order.amount.total, payer_currency: 'CNY' },
        ...resource,
      },
      options,
    );
  }

  /** A notification signed with the platform key (or another, to forge one). */
  notification(
    eventType: string,
    resource: Record<string, unknown>,
    options: NotificationOptions = {},
  ): SignedNotification {
    const id = options.id ?? `EV-${randomBytes(8).toString('hex')}`;
    const iv = nonce().slice(0, 12);
    const associated = 'transaction';
    const cipher = createCipheriv(
      'aes-256-gcm',
      Buffer.from(options.apiV3Key ?? this.apiV3Key),
      iv,
    );
    cipher.setAAD(Buffer.from(associated));
    const sealed = Buffer.concat([
      cipher.update(JSON.stringify(resource), 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const body = JSON.stringify({
      id,
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: sealed.toString('base64'),
        associated_data: associated,
        nonce: iv,
      },
    });
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    return { body, headers: this.signed(body, timestamp, options.privateKey), id };
  }

  protected failure(res: ServerResponse): void {
    this.send(res, 500, { code: 'SYSTEM_ERROR', message: '系统错误' });
  }

  protected answer(request: StandInRequest, res: ServerResponse): void {
    const problem = this.unauthorized(request);
    if (problem) {
      this.send(res, 401, { code: 'SIGN_ERROR', message: problem });
      return;
    }
    const url = new URL(request.url, this.url);
    const body: unknown = request.body ? JSON.parse(request.body) : {};
    const trade = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(url.pathname);
    const refundPath = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'POST' && url.pathname === '/v3/pay/transactions/native') {
      this.send(res, 200, { code_url: this.native(body as NativeRequest).code_url });
    } else if (trade?.[1]) {
      const order = this.orders.get(decodeURIComponent(trade[1]));
      if (!order) this.send(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
      else if (request.method === 'GET') this.send(res, 200, this.transaction(order));
      else if (order.trade_state !== 'NOTPAY')
        this.send(res, 400, { code: 'ORDERPAID', message: '订单已支付' });
      else {
        order.trade_state = 'CLOSED';
        this.send(res, 204, null);
      }
    } else if (request.method === 'POST' && url.pathname === '/v3/refund/domestic/refunds') {
      this.refund(res, body as RefundRequest);
    } else if (request.method === 'GET' && refundPath?.[1]) {
      const refund = this.refunds.get(decodeURIComponent(refundPath[1]));
      if (refund) this.send(res, 200, refund);
      else this.send(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '退款单不存在' });
    } else {
      this.send(res, 404, { code: 'NOT_FOUND', message: `${request.method} ${url.pathname}` });
    }
  }

  private native(body: NativeRequest): WechatOrder {
    const existing = this.orders.get(body.out_trade_no);
    if (existing) return existing;
    const order: WechatOrder = {
      out_trade_no: body.out_trade_no,
      appid: body.appid,
      mchid: body.mchid,
      description: body.description,
      notify_url: body.notify_url,
      amount: body.amount,
      code_url: `weixin://wxpay/bizpayurl?pr=${randomBytes(5).toString('hex')}`,
      trade_state: 'NOTPAY',
    };
    this.orders.set(order.out_trade_no, order);
    return order;
  }

  private transaction(order: WechatOrder): Record<string, unknown> {
    const { code_url: _code, notify_url: _notify, description: _description, ...seen } = order;
    return { ...seen, trade_type: 'NATIVE' };
  }

  private refund(res: ServerResponse, body: RefundRequest): void {
    const { out_refund_no: key, out_trade_no: outTradeNo, amount } = body;
    const existing = this.refunds.get(key);
    if (existing) {
      this.send(res, 200, existing);
      return;
    }
    const order = this.orders.get(outTradeNo);
    if (order?.trade_state !== 'SUCCESS') {
      this.send(res, 400, { code: 'INVALID_REQUEST', message: '订单状态不正确' });
      return;
    }
    const refund: WechatRefund = {
      refund_id: `5030${randomBytes(12).toString('hex')}`,
      out_refund_no: key,
      out_trade_no: outTradeNo,
      status: this.refundStatus,
      amount: { total: amount.total, refund: amount.refund, currency: amount.currency },
    };
    this.refunds.set(key, refund);
    order.trade_state = 'REFUND';
    this.send(res, 200, refund);
  }

  /** The merchant's signature over `METHOD\nURL\ntimestamp\nnonce\nbody\n`. */
  private unauthorized(request: StandInRequest): string | null {
    const header = request.headers.authorization ?? '';
    const [scheme, params = ''] = header.split(' ', 2);
    if (scheme !== 'WECHATPAY2-SHA256-RSA2048') return 'unknown scheme';
    const fields = Object.fromEntries(
      [...params.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k ?? '', v ?? '']),
    );
    if (fields.mchid !== WECHATPAY_TEST_MCH_ID || fields.serial_no !== SERIAL_NO) {
      return 'unknown merchant or certificate';
    }
    const message = `${request.method}\n${request.url}\n${fields.timestamp}\n${fields.nonce_str}\n${request.body}\n`;
    const valid = createVerify('RSA-SHA256')
      .update(message)
      .verify(this.merchantKeys.publicKey, fields.signature ?? '', 'base64');
    return valid ? null : 'signature does not verify';
  }

  private signed(
    body: string,
    timestamp = Math.floor(Date.now() / 1000),
    privateKey = this.platformKeys.privateKey,
  ): Record<string, string> {
    const once = nonce();
    return {
      'wechatpay-timestamp': String(timestamp),
      'wechatpay-nonce': once,
      'wechatpay-signature': createSign('RSA-SHA256')
        .update(`${timestamp}\n${once}\n${body}\n`)
        .sign(privateKey, 'base64'),
      'wechatpay-serial': 'PUB_KEY_ID_0000000000000000000000000001',
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    };
  }

  private send(res: ServerResponse, status: number, payload: unknown): void {
    const body = payload === null ? '' : JSON.stringify(payload);
    const forged = this.forgeAnswers > 0;
    if (forged) this.forgeAnswers -= 1;
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': randomBytes(8).toString('hex'),
      ...this.signed(body, undefined, forged ? this.merchantKeys.privateKey : undefined),
    });
    res.end(body);
  }
}

export interface NotificationOptions {
  id?: string;
  /** Unix seconds: an old one makes a stale notification. */
  timestamp?: number;
  /** Sign with another key: a forged notification. */
  privateKey?: string;
  /** Encrypt with another key. */
  apiV3Key?: string;
}
