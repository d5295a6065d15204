import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two files at a time: an e2e file mostly waits (for its app, its child processes, timers),
    // so two keep two cores busy. Each worker has a database of its own (see global-setup).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'test/unit/**/*.spec.ts'] },
      },
      {
        // Static checks of the delivery files: Dockerfile, Compose, Helm chart, CI workflows.
        extends: true,
        test: { name: 'delivery', include: ['test/delivery/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
