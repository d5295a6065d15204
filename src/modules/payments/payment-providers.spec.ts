import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load-config.js';
import type { PaymentProviderAdapter } from './payment-provider.js';
import { buildProviders } from './payment-providers.js';
import { fakeAdapter } from './providers/fake.provider.js';
import { rsaKeyPair } from '../../../test/support/rsa-keys.js';

const failure = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('the enabled payment providers', () => {
  it('are built in the order PAYMENT_PROVIDERS names them', () => {
    const config = loadConfig({
      PAYMENT_PROVIDERS: 'stripe,fake',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    });
    expect(buildProviders(config).map((p) => p.name)).toEqual(['stripe', 'fake']);
  });

  it('stop the process naming the variable an enabled provider lacks', () => {
    expect(failure(() => buildProviders(loadConfig({ PAYMENT_PROVIDERS: 'stripe' })))).toBe(
      'Invalid configuration: STRIPE_SECRET_KEY is required when PAYMENT_PROVIDERS includes stripe',
    );
    expect(
      failure(() =>
        buildProviders(loadConfig({ PAYMENT_PROVIDERS: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x' })),
      ),
    ).toBe(
      'Invalid configuration: STRIPE_WEBHOOK_SECRET is required when PAYMENT_PROVIDERS includes stripe',
    );
  });

  it('stop the process on a name no adapter has', () => {
    expect(failure(() => buildProviders(loadConfig({ PAYMENT_PROVIDERS: 'fake,paypal' })))).toBe(
      'Invalid configuration: PAYMENT_PROVIDERS names "paypal", which is not a payment provider (known: fake, stripe, alipay, wechatpay)',
    );
  });

  it('stop the process when a provider does not take CURRENCY', () => {
    const yuanOnly: PaymentProviderAdapter = { ...fakeAdapter, name: 'yuan', currencies: ['CNY'] };
    const config = loadConfig({ PAYMENT_PROVIDERS: 'yuan', CURRENCY: 'EUR' });
    expect(failure(() => buildProviders(config, [yuanOnly]))).toBe(
      'Invalid configuration: CURRENCY EUR is not taken by the yuan payment provider (it takes CNY)',
    );
    expect(
      buildProviders(loadConfig({ PAYMENT_PROVIDERS: 'yuan', CURRENCY: 'CNY' }), [yuanOnly]),
    ).toHaveLength(1);
  });

  it('stop the process naming what Alipay and WeChat Pay lack, and refuse a currency other than CNY', () => {
    const keys = rsaKeyPair();
    expect(failure(() => buildProviders(loadConfig({ PAYMENT_PROVIDERS: 'alipay' })))).toBe(
      'Invalid configuration: CURRENCY USD is not taken by the alipay payment provider (it takes CNY)',
    );
    const alipay = { PAYMENT_PROVIDERS: 'alipay', CURRENCY: 'CNY', ALIPAY_APP_ID: '2021' };
    expect(failure(() => buildProviders(loadConfig(alipay)))).toBe(
      'Invalid configuration: ALIPAY_PRIVATE_KEY is required when PAYMENT_PROVIDERS includes alipay',
    );
    expect(
      failure(() =>
        buildProviders(
          loadConfig({ ...alipay, ALIPAY_PRIVATE_KEY: keys.privateKey, ALIPAY_PUBLIC_KEY: 'x' }),
        ),
      ),
    ).toBe(
      'Invalid configuration: ALIPAY_PUBLIC_KEY must be an RSA public key (PEM or base64 DER)',
    );
    const wechat = {
      PAYMENT_PROVIDERS: 'wechatpay',
      CURRENCY: 'CNY',
      WECHATPAY_MCH_ID: '1900000109',
      WECHATPAY_APP_ID: 'wx1',
      WECHATPAY_SERIAL_NO: 'AB12',
      WECHATPAY_PRIVATE_KEY: keys.privateKey,
      WECHATPAY_PLATFORM_PUBLIC_KEY: keys.publicKey,
    };
    expect(failure(() => buildProviders(loadConfig(wechat)))).toBe(
      'Invalid configuration: WECHATPAY_API_V3_KEY is required when PAYMENT_PROVIDERS includes wechatpay',
    );
    expect(
      failure(() => buildProviders(loadConfig({ ...wechat, WECHATPAY_API_V3_KEY: 'short' }))),
    ).toBe('Invalid configuration: WECHATPAY_API_V3_KEY must be 32 bytes');
    const both = loadConfig({
      ...alipay,
      ...wechat,
      PAYMENT_PROVIDERS: 'alipay,wechatpay',
      ALIPAY_PRIVATE_KEY: keys.privateKey,
      ALIPAY_PUBLIC_KEY: keys.publicKey,
      WECHATPAY_API_V3_KEY: '0123456789abcdef0123456789abcdef',
    });
    expect(buildProviders(both).map((p) => p.name)).toEqual(['alipay', 'wechatpay']);
  });
});
