import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { REDIS_URL, runDatabaseUrl } from '../support/env.js';
import { freePort, spawnNode } from '../support/processes.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

const baseEnv = (): NodeJS.ProcessEnv => ({
  DATABASE_URL: runDatabaseUrl(),
  REDIS_URL,
  REDIS_PREFIX: `test:${inject('runId')}:paycfg${randomBytes(3).toString('hex')}`,
  JWT_SECRET: TEST_JWT_SECRET,
  MIGRATIONS_RUN: 'false',
  LOG_LEVEL: 'warn',
});

describe('payment configuration at start-up', () => {
  it.each([
    [
      { PAYMENT_PROVIDERS: 'stripe' },
      'Invalid configuration: STRIPE_SECRET_KEY is required when PAYMENT_PROVIDERS includes stripe',
    ],
    [
      { PAYMENT_PROVIDERS: 'stripe', STRIPE_SECRET_KEY: 'sk_live_do_not_print' },
      'Invalid configuration: STRIPE_WEBHOOK_SECRET is required when PAYMENT_PROVIDERS includes stripe',
    ],
    [
      { PAYMENT_PROVIDERS: 'fake,paypal' },
      'Invalid configuration: PAYMENT_PROVIDERS names "paypal", which is not a payment provider (known: fake, stripe, alipay, wechatpay)',
    ],
    [
      { PAYMENT_PROVIDERS: 'alipay', CURRENCY: 'CNY', ALIPAY_APP_ID: '2021000000000001' },
      'Invalid configuration: ALIPAY_PRIVATE_KEY is required when PAYMENT_PROVIDERS includes alipay',
    ],
    [
      {
        PAYMENT_PROVIDERS: 'wechatpay',
        CURRENCY: 'CNY',
        WECHATPAY_MCH_ID: '1900000109',
        WECHATPAY_APP_ID: 'wxd678efh567hg6787',
        WECHATPAY_SERIAL_NO: '5157F09EFDC096DE',
        WECHATPAY_PRIVATE_KEY: 'secret-that-is-not-a-key-do-not-print',
      },
      'Invalid configuration: WECHATPAY_PRIVATE_KEY must be an RSA private key (PEM or base64 DER)',
    ],
    [
      { NODE_ENV: 'production', PAYMENT_PROVIDERS: 'fake' },
      'Invalid configuration: PAYMENT_PROVIDERS includes fake (payments without money), refused with NODE_ENV=production unless PAYMENT_FAKE_IN_PRODUCTION=true',
    ],
    [
      { CURRENCY: 'JPY' },
      'Invalid configuration: CURRENCY must be an ISO 4217 currency with two decimals (got "JPY")',
    ],
  ])('stops the api on %j with exit 1 and one line naming the variable', async (env, line) => {
    const api = spawnNode('dist/main.js', { ...baseEnv(), ...env });
    expect(await api.exited).toBe(1);
    expect(api.stderr()).toBe(`${line}\n`);
  });

  it('stops the worker the same way, never printing a key', async () => {
    const worker = spawnNode('dist/worker.js', {
      ...baseEnv(),
      WORKER_PORT: String(await freePort()),
      PAYMENT_PROVIDERS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_live_do_not_print',
    });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toBe(
      'Invalid configuration: STRIPE_WEBHOOK_SECRET is required when PAYMENT_PROVIDERS includes stripe\n',
    );
  });
});
