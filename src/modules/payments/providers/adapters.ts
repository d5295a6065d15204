import type { PaymentProviderAdapter } from '../payment-provider.js';
import { alipayAdapter } from './alipay.provider.js';
import { fakeAdapter } from './fake.provider.js';
import { stripeAdapter } from './stripe.provider.js';
import { wechatpayAdapter } from './wechatpay.provider.js';

/**
 * Every payment provider the shop can use. Adding one is an adapter file beside these (an
 * implementation of PaymentProvider, see payment-provider.ts) and its line here; PAYMENT_PROVIDERS
 * then enables it by name.
 */
export const PAYMENT_PROVIDER_ADAPTERS: readonly PaymentProviderAdapter[] = [
  fakeAdapter,
  stripeAdapter,
  alipayAdapter,
  wechatpayAdapter,
];

export const KNOWN_PROVIDERS: readonly string[] = PAYMENT_PROVIDER_ADAPTERS.map((a) => a.name);
