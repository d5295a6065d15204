import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every e2e file boots its own app against the shared run database, so files may run side by side.
    pool: 'forks',
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
