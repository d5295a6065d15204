import { createSign, createVerify, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { rsaKeyPair, StandInServer, type StandInRequest } from './stand-in-server.js';

export const ALIPAY_TEST_APP_ID = '2021000000000001';

/** Alipay's signing string: fields sorted by name, `k=v` joined by `&` (values decoded). */
const signingString = (fields: Record<string, string>, omit: readonly string[]): string =>
  Object.keys(fields)
    .filter((key) => !omit.includes(key) && fields[key] !== '')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');

const rsa2 = (text: string, privateKey: string): string =>
  createSign('RSA-SHA256').update(text, 'utf8').sign(privateKey, 'base64');

export interface AlipayTrade {
  out_trade_no: string;
  trade_no: string;
  total_amount: string;
  subject: string;
  trade_status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';
  send_pay_date?: string;
  /** out_request_no -> refund_amount: each request number refunds once. */
  refunds: Map<string, string>;
}

export interface AlipayCall {
  method: string;
  biz: Record<string, string>;
}

const now = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

/**
 * A local stand-in for Alipay's OpenAPI gateway (POST gateway.do, common parameters in the
 * query, biz_content in the form): it checks every request's RSA2 signature against the
 * application's public key and signs every answer (`sign` over the `<method>_response` JSON)
 * with its own key, as Alipay does. It plays the customer's browser too (opening a page-pay
 * URL, whose signature it checks, makes the trade; paying it) and posts asynchronous
 * notifications signed as Alipay signs them. Methods: alipay.trade.query, .refund, .close.
 */
export class AlipayStandIn extends StandInServer {
  readonly appKeys = rsaKeyPair();
  readonly alipayKeys = rsaKeyPair();
  readonly trades = new Map<string, AlipayTrade>();

  static async start(): Promise<AlipayStandIn> {
    const standIn = new AlipayStandIn();
    await standIn.up();
    return standIn;
  }

  get gateway(): string {
    return `${this.url}/gateway.do`;
  }

  /** The app's configuration for this stand-in. */
  env(): NodeJS.ProcessEnv {
    return {
      ALIPAY_APP_ID: ALIPAY_TEST_APP_ID,
      ALIPAY_PRIVATE_KEY: this.appKeys.privateKey,
      ALIPAY_PUBLIC_KEY: this.alipayKeys.publicKey,
      ALIPAY_GATEWAY: this.gateway,
    };
  }

  /** The next `times` calls of an OpenAPI method answer HTTP 500. */
  failMethod(method: string, times: number): void {
    this.fail((r) => new URL(r.url, this.url).searchParams.get('method') === method, times);
  }

  /** Every gateway call of `method` for the trade, failed ones included. */
  callsOf(method: string, outTradeNo: string): AlipayCall[] {
    return this.received
      .map((r) => this.callOf(r))
      .filter((c) => c.method === method && c.biz.out_trade_no === outTradeNo);
  }

  private fieldsOf(request: StandInRequest): Record<string, string> {
    return {
      ...Object.fromEntries(new URL(request.url, this.url).searchParams),
      ...Object.fromEntries(new URLSearchParams(request.body)),
    };
  }

  private callOf(request: StandInRequest): AlipayCall {
    const fields = this.fieldsOf(request);
    const biz = JSON.parse(fields.biz_content ?? '{}') as Record<string, string>;
    return { method: fields.method ?? '', biz };
  }

  /**
   * The customer's browser follows a page-pay redirect: the signed request is checked, and
   * Alipay makes the trade. Answers the request's fields (biz_content parsed).
   */
  open(url: string): { fields: Record<string, string>; biz: Record<string, string> } {
    const target = new URL(url);
    const fields = Object.fromEntries(target.searchParams);
    if (`${target.origin}${target.pathname}` !== this.gateway) throw new Error('not this gateway');
    if (!this.authentic(fields)) throw new Error('page-pay URL signature does not verify');
    const biz = JSON.parse(fields.biz_content ?? '{}') as Record<string, string>;
    const outTradeNo = biz.out_trade_no ?? '';
    if (!this.trades.has(outTradeNo)) {
      this.trades.set(outTradeNo, {
        out_trade_no: outTradeNo,
        trade_no: `2026${randomBytes(10).toString('hex')}`,
        total_amount: biz.total_amount ?? '',
        subject: biz.subject ?? '',
        trade_status: 'WAIT_BUYER_PAY',
        refunds: new Map(),
      });
    }
    return { fields, biz };
  }

  /** The customer pays the trade (no notification sent). */
  pay(outTradeNo: string): AlipayTrade {
    const trade = this.trade(outTradeNo);
    Object.assign(trade, { trade_status: 'TRADE_SUCCESS', send_pay_date: now() });
    return trade;
  }

  trade(outTradeNo: string): AlipayTrade {
    const trade = this.trades.get(outTradeNo);
    if (!trade) throw new Error(`no trade ${outTradeNo}`);
    return trade;
  }

  /**
   * A trade_status_sync notification for the trade as it is, signed with Alipay's key (or
   * `privateKey`, to forge one); `fields` override what it says.
   */
  notification(
    outTradeNo: string,
    fields: Record<string, string> = {},
    privateKey = this.alipayKeys.privateKey,
  ): { body: string; id: string } {
    const trade = this.trade(outTradeNo);
    const note: Record<string, string> = {
      notify_time: now(),
      notify_type: 'trade_status_sync',
      notify_id: `2026${randomBytes(12).toString('hex')}`,
      app_id: ALIPAY_TEST_APP_ID,
      charset: 'utf-8',
      version: '1.0',
      trade_no: trade.trade_no,
      out_trade_no: trade.out_trade_no,
      trade_status: trade.trade_status,
      total_amount: trade.total_amount,
      receipt_amount: trade.total_amount,
      subject: trade.subject,
      gmt_create: now(),
      ...(trade.send_pay_date ? { gmt_payment: trade.send_pay_date } : {}),
      ...fields,
    };
    // The notification's signature leaves out sign and sign_type.
    note.sign = rsa2(signingString(note, ['sign', 'sign_type']), privateKey);
    note.sign_type = 'RSA2';
    return { body: new URLSearchParams(note).toString(), id: note.notify_id ?? '' };
  }

  protected failure(res: ServerResponse): void {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html><body>502 Bad Gateway</body></html>');
  }

  protected answer(request: StandInRequest, res: ServerResponse): void {
    const url = new URL(request.url, this.url);
    const fields = this.fieldsOf(request);
    const { method, biz } = this.callOf(request);
    const reply = (body: Record<string, unknown>): void => {
      const key = `${method.replaceAll('.', '_')}_response`;
      const inner = JSON.stringify(body);
      const text = `{"${key}":${inner},"sign":"${rsa2(inner, this.alipayKeys.privateKey)}"}`;
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end(text);
    };
    if (request.method !== 'POST' || url.pathname !== '/gateway.do') {
      res.writeHead(404).end();
      return;
    }
    if (fields.app_id !== ALIPAY_TEST_APP_ID || !this.authentic(fields)) {
      reply({ code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature' });
      return;
    }
    const trade = this.trades.get(biz.out_trade_no ?? '');
    if (!trade) {
      reply({ code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' });
      return;
    }
    reply(this.perform(method, trade, biz));
  }

  private perform(
    method: string,
    trade: AlipayTrade,
    biz: Record<string, string>,
  ): Record<string, unknown> {
    const ok = { code: '10000', msg: 'Success', out_trade_no: trade.out_trade_no };
    const refusal = (subCode: string) => ({
      code: '40004',
      msg: 'Business Failed',
      sub_code: subCode,
    });
    switch (method) {
      case 'alipay.trade.query':
        return {
          ...ok,
          trade_no: trade.trade_no,
          trade_status: trade.trade_status,
          total_amount: trade.total_amount,
          ...(trade.send_pay_date ? { send_pay_date: trade.send_pay_date } : {}),
        };
      case 'alipay.trade.close':
        if (trade.trade_status !== 'WAIT_BUYER_PAY') return refusal('ACQ.TRADE_STATUS_ERROR');
        trade.trade_status = 'TRADE_CLOSED';
        return { ...ok, trade_no: trade.trade_no };
      case 'alipay.trade.refund': {
        const requestNo = biz.out_request_no ?? trade.out_trade_no;
        const repeat = trade.refunds.has(requestNo);
        if (!repeat) {
          if (trade.trade_status !== 'TRADE_SUCCESS') return refusal('ACQ.TRADE_STATUS_ERROR');
          trade.refunds.set(requestNo, biz.refund_amount ?? '');
          if (biz.refund_amount === trade.total_amount) trade.trade_status = 'TRADE_CLOSED';
        }
        return {
          ...ok,
          trade_no: trade.trade_no,
          fund_change: repeat ? 'N' : 'Y',
          refund_fee: biz.refund_amount,
        };
      }
      default:
        return { code: '40004', msg: 'Business Failed', sub_code: 'isv.invalid-method' };
    }
  }

  /** A request signed by the application (everything but `sign`, sorted). */
  private authentic(fields: Record<string, string>): boolean {
    return createVerify('RSA-SHA256')
      .update(signingString(fields, ['sign']), 'utf8')
      .verify(this.appKeys.publicKey, fields.sign ?? '', 'base64');
  }
}
