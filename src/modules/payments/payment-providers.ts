import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { ConfigError } from '../../config/load-config.js';
import type { PaymentProvider, PaymentProviderAdapter } from './payment-provider.js';
import { PAYMENT_METRIC } from './payment-metrics.js';
import { PAYMENT_PROVIDER_ADAPTERS } from './providers/adapters.js';
import { ResilientProvider } from './resilient-provider.js';

/**
 * The enabled providers, built from PAYMENT_PROVIDERS and the adapters' list. Anything wrong
 * stops the process at start-up with one line: an unknown name, a currency a provider does not
 * take, a setting an enabled provider lacks (its adapter names the variable).
 */
export function buildProviders(
  config: AppConfig,
  adapters: readonly PaymentProviderAdapter[] = PAYMENT_PROVIDER_ADAPTERS,
): PaymentProvider[] {
  const { providers, currency } = config.payments;
  return providers.map((name) => {
    const adapter = adapters.find((candidate) => candidate.name === name);
    if (!adapter) {
      throw new ConfigError(
        `Invalid configuration: PAYMENT_PROVIDERS names "${name}", which is not a payment provider (known: ${adapters.map((a) => a.name).join(', ')})`,
      );
    }
    if (adapter.currencies && !adapter.currencies.includes(currency)) {
      throw new ConfigError(
        `Invalid configuration: CURRENCY ${currency} is not taken by the ${name} payment provider (it takes ${adapter.currencies.join(', ')})`,
      );
    }
    return adapter.create(config);
  });
}

/** The enabled providers by name, each behind its own circuit, retries and timeouts. */
@Injectable()
export class PaymentProviders implements OnModuleDestroy {
  private readonly byName = new Map<string, ResilientProvider>();

  constructor(
    @InjectConfig() config: AppConfig,
    @InjectMetric(PAYMENT_METRIC.circuit) circuit: Gauge<'provider'>,
  ) {
    for (const provider of buildProviders(config)) {
      const resilient = new ResilientProvider(provider, (state) => {
        circuit.set({ provider: provider.name }, state);
      });
      this.byName.set(provider.name, resilient);
    }
  }

  /** The enabled provider of that name, or undefined. */
  get(name: string): PaymentProvider | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  onModuleDestroy(): void {
    for (const provider of this.byName.values()) provider.shutdown();
  }
}
