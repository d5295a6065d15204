import { defineConfig } from 'vitest/config';

// `npm run test:topologies`: the service against a Redis Sentinel group (with a failover), a
// Redis Cluster, TLS servers, and a PostgreSQL primary with a streaming read replica, all
// started by the tests; kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['test/topologies/**/*.topology.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
