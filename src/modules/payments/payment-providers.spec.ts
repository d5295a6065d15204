import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load-config.js';
import type { PaymentProviderAdapter } from './payment-provider.js';
import { buildProviders } from './payment-providers.js';
import { fakeAdapter } from './providers/fake.provider.js';

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
      'Invalid configuration: PAYMENT_PROVIDERS names "paypal", which is not a payment provider (known: fake, stripe)',
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
});
