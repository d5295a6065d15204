import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the soak run with faults, kept out of `npm test` (about 5 minutes).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.spec.ts'],
    pool: 'forks',
    testTimeout: 420_000,
    hookTimeout: 120_000,
  },
});
