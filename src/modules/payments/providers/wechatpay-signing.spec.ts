import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rsaKeyPair } from '../../../../test/support/rsa-keys.js';
import {
  authorization,
  decryptResource,
  requestMessage,
  responseMessage,
  signatureProblem,
} from './wechatpay-signing.js';

const merchantPem = rsaKeyPair();
const platformPem = rsaKeyPair();
const platformKey = createPublicKey(platformPem.publicKey);
const API_V3_KEY = '0123456789abcdef0123456789abcdef';

const sealed = (plain: string, key = API_V3_KEY, aad = 'transaction', nonce = 'fdasflkja484') => {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key), nonce);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: data.toString('base64'),
    nonce,
    associated_data: aad,
  };
};

const sign = (privateKey: string, message: string): string =>
  createSign('RSA-SHA256').update(message).sign(privateKey, 'base64');

const signedHeaders = (body: string, timestamp: number, nonce = 'n0nce') => ({
  timestamp: String(timestamp),
  nonce,
  signature: sign(platformPem.privateKey, responseMessage(String(timestamp), nonce, body)),
});

describe('WeChat Pay API v3 signing', () => {
  it('signs METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n with the merchant key, in the documented Authorization header', () => {
    expect(requestMessage('GET', '/v3/certificates?x=1', 1554208460, 'abc', '')).toBe(
      'GET\n/v3/certificates?x=1\n1554208460\nabc\n\n',
    );
    const merchant = {
      mchId: '1900009191',
      serialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
      privateKey: createPrivateKey(merchantPem.privateKey),
    };
    const header = authorization(
      merchant,
      'POST',
      '/v3/pay/transactions/native',
      '{"a":1}',
      1554208460,
      '593BEC0C930BF1AFEB40B4A08C8FB242',
    );
    const match =
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="([^"]+)",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"$/.exec(
        header,
      );
    expect(match).not.toBeNull();
    const verified = createVerify('RSA-SHA256')
      .update(
        'POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"a":1}\n',
      )
      .verify(merchantPem.publicKey, match?.[1] ?? '', 'base64');
    expect(verified).toBe(true);
  });

  it('accepts a body signed with the platform key within five minutes, and says why not otherwise', () => {
    const now = 1_800_000_000;
    const body = '{"id":"EV-1"}';
    expect(signatureProblem(platformKey, signedHeaders(body, now), body, now)).toBeNull();
    expect(signatureProblem(platformKey, signedHeaders(body, now - 300), body, now)).toBeNull();
    expect(signatureProblem(platformKey, signedHeaders(body, now - 301), body, now)).toBe(
      'timestamp outside the tolerance',
    );
    expect(signatureProblem(platformKey, signedHeaders(body, now + 301), body, now)).toBe(
      'timestamp outside the tolerance',
    );
    expect(signatureProblem(platformKey, signedHeaders(body, now), `${body} `, now)).toBe(
      'signature does not match',
    );
    const other = {
      ...signedHeaders(body, now),
      signature: sign(merchantPem.privateKey, responseMessage(String(now), 'n0nce', body)),
    };
    expect(signatureProblem(platformKey, other, body, now)).toBe('signature does not match');
    expect(
      signatureProblem(platformKey, { ...signedHeaders(body, now), nonce: undefined }, body, now),
    ).toBe('missing Wechatpay-Timestamp, -Nonce or -Signature');
    expect(
      signatureProblem(platformKey, { ...signedHeaders(body, now), timestamp: '1e9' }, body, now),
    ).toBe('malformed Wechatpay-Timestamp');
  });

  it('decrypts a resource sealed with AEAD_AES_256_GCM under the API v3 key, and refuses any other', () => {
    const plain = '{"out_trade_no":"abc","trade_state":"SUCCESS"}';
    expect(decryptResource(API_V3_KEY, sealed(plain))).toBe(plain);
    expect(() =>
      decryptResource(API_V3_KEY, sealed(plain, 'fedcba9876543210fedcba9876543210')),
    ).toThrow();
    expect(() =>
      decryptResource(API_V3_KEY, { ...sealed(plain), associated_data: 'refund' }),
    ).toThrow();
    expect(() => decryptResource(API_V3_KEY, { ...sealed(plain), algorithm: 'AES_128' })).toThrow(
      'unknown algorithm AES_128',
    );
    expect(() => decryptResource(API_V3_KEY, { ...sealed(plain), ciphertext: 'AAAA' })).toThrow(
      'ciphertext too short',
    );
  });
});
