import {
  createDecipheriv,
  createSign,
  createVerify,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { NOTIFICATION_TOLERANCE_SECONDS } from './provider-settings.js';

/**
 * WeChat Pay API v3's signatures and encryption (pay.weixin.qq.com, "签名生成", "签名验证",
 * "证书和回调报文解密"), pure functions over node:crypto.
 */

/** What the merchant signs: `METHOD\nURL\ntimestamp\nnonce\nbody\n` (URL: path and query). */
export const requestMessage = (
  method: string,
  url: string,
  timestamp: number,
  nonce: string,
  body: string,
): string => `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;

/** What WeChat Pay signs in a response or a notification: `timestamp\nnonce\nbody\n`. */
export const responseMessage = (timestamp: string, nonce: string, body: string): string =>
  `${timestamp}\n${nonce}\n${body}\n`;

export interface Merchant {
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
}

/** The Authorization header of one request, SHA256-RSA2048 with the merchant's key. */
export function authorization(
  merchant: Merchant,
  method: string,
  url: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
  nonce = randomBytes(16).toString('hex'),
): string {
  const signature = createSign('RSA-SHA256')
    .update(requestMessage(method, url, timestamp, nonce, body))
    .sign(merchant.privateKey, 'base64');
  return (
    `WECHATPAY2-SHA256-RSA2048 mchid="${merchant.mchId}",nonce_str="${nonce}",` +
    `signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serialNo}"`
  );
}

export interface SignatureHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
}

/**
 * Checks WeChat Pay's signature over a body (Wechatpay-Timestamp, -Nonce, -Signature) with
 * the platform public key, and that the timestamp is within 5 minutes of now. Answers why
 * not, or null when it is authentic.
 */
export function signatureProblem(
  platformKey: KeyObject,
  headers: SignatureHeaders,
  body: string,
  nowSeconds = Date.now() / 1000,
): string | null {
  const { timestamp, nonce, signature } = headers;
  if (!timestamp || !nonce || !signature)
    return 'missing Wechatpay-Timestamp, -Nonce or -Signature';
  if (!/^\d{1,12}$/.test(timestamp)) return 'malformed Wechatpay-Timestamp';
  const authentic = createVerify('RSA-SHA256')
    .update(responseMessage(timestamp, nonce, body))
    .verify(platformKey, signature, 'base64');
  if (!authentic) return 'signature does not match';
  if (Math.abs(nowSeconds - Number(timestamp)) > NOTIFICATION_TOLERANCE_SECONDS) {
    return 'timestamp outside the tolerance';
  }
  return null;
}

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

const TAG_BYTES = 16;

/**
 * A notification's `resource` in clear: AEAD_AES_256_GCM under the API v3 key, the base64
 * ciphertext ending in its 16-byte tag. Throws when it was not encrypted with that key.
 */
export function decryptResource(apiV3Key: string, resource: EncryptedResource): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new Error(`unknown algorithm ${resource.algorithm}`);
  }
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= TAG_BYTES) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), resource.nonce, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([
    decipher.update(data.subarray(0, data.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}
