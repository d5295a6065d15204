import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const FLASH_SALE_METRIC = { attempts: 'flash_sale_attempts_total' } as const;

export const FLASH_SALE_METRIC_PROVIDERS = [
  makeCounterProvider({
    name: FLASH_SALE_METRIC.attempts,
    help: 'Flash sale purchase attempts, by result (won, sold_out, limited, inactive)',
    labelNames: ['result'],
  }),
];
