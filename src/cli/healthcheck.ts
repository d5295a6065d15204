import { loadConfig } from '../config/load-config.js';

/**
 * Container HEALTHCHECK: `node dist/cli/healthcheck.js` probes the api's /health/live,
 * `node dist/cli/healthcheck.js worker` the worker's. Liveness only: a dependency outage must
 * not get a healthy process restarted.
 */
const config = loadConfig();
const port = process.argv[2] === 'worker' ? config.workerPort : config.port;
try {
  const res = await fetch(`http://127.0.0.1:${port}/health/live`, {
    signal: AbortSignal.timeout(3000),
  });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
