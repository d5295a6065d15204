import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL, runDatabaseUrl } from '../support/env.js';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes.js';
import { startApp, startWorker, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

const baseEnv = (): NodeJS.ProcessEnv => ({
  DATABASE_URL: runDatabaseUrl(),
  REDIS_URL,
  REDIS_PREFIX: `test:${inject('runId')}:edge${randomBytes(3).toString('hex')}`,
  JWT_SECRET: TEST_JWT_SECRET,
  MIGRATIONS_RUN: 'false',
  RUN_WORKERS: 'false',
  SHUTDOWN_DRAIN_MS: '0',
  LOG_LEVEL: 'warn',
});

describe('METRICS_PORT on the api process', () => {
  let api: Spawned;
  let base: string;
  let metrics: string;

  beforeAll(async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    metrics = `http://127.0.0.1:${metricsPort}`;
    api = spawnNode('dist/main.js', {
      ...baseEnv(),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
    });
    await waitForStatus(`${base}/health/ready`);
  });
  afterAll(async () => {
    api.child.kill('SIGTERM');
    await api.exited;
  });

  it('serves /metrics there, in the Prometheus format, and nothing else', async () => {
    const res = await fetch(`${metrics}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(text).toMatch(/^http_requests_in_flight /m);
    for (const path of ['/health/live', '/api/products', '/docs', '/']) {
      expect((await fetch(`${metrics}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${metrics}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('no longer serves /metrics on PORT, where clients are, and leaves it out of the docs', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 404, path: '/metrics' });
    expect((await fetch(`${base}/api/products`)).status).toBe(200);
    const doc = (await (await fetch(`${base}/docs-json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    expect(Object.keys(doc.paths)).toContain('/health/ready');
  });

  it('counts the api’s requests there', async () => {
    await fetch(`${base}/api/products/987654321`);
    const text = await (await fetch(`${metrics}/metrics`)).text();
    expect(text).toMatch(
      /^http_requests_total\{method="GET",route="\/api\/products\/:id",status="404"\} [1-9]/m,
    );
  });
});

describe('METRICS_PORT on the worker', () => {
  let worker: TestApp;
  let metrics: string;

  beforeAll(async () => {
    const metricsPort = await freePort();
    metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = await startWorker({ METRICS_PORT: String(metricsPort) });
  });
  afterAll(() => worker.close());

  it('serves /metrics on METRICS_PORT and only the probes on WORKER_PORT', async () => {
    const res = await fetch(metrics);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^queue_jobs\{queue="email",state="waiting"\} \d+/m);
    expect((await worker.http.get('/metrics')).status).toBe(404);
    expect((await worker.http.get('/health/ready')).status).toBe(200);
  });
});

describe('DOCS_ENABLED', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET };

  it('is off by default in production: /docs and the documents are unknown routes', async () => {
    const t = await startApp(production);
    try {
      for (const path of ['/docs', '/docs-json', '/docs-yaml']) {
        const res = await t.http.get(path);
        expect(res.status, path).toBe(404);
        expect(res.body).toMatchObject({ code: 404, path });
      }
      expect((await t.http.get('/metrics')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('turns them on in production when set, and off elsewhere when unset to false', async () => {
    const on = await startApp({ ...production, DOCS_ENABLED: 'true' });
    const off = await startApp({ DOCS_ENABLED: 'false' });
    try {
      expect((await on.http.get('/docs-json')).status).toBe(200);
      expect((await off.http.get('/docs-json')).status).toBe(404);
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });
});
