import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

describe('probes and metrics', () => {
  it('answers /health/live without checking any dependency', async () => {
    const res = await t.http.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it.each(['/health/ready', '/health'])(
    'answers %s in the Terminus format with both dependencies up',
    async (path) => {
      const res = await t.http.get(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
        error: {},
      });
    },
  );

  it('serves Prometheus text at /metrics without authentication', async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});

describe('read replicas that cannot serve (CONTRACT §9)', () => {
  it('are skipped: reads answer from the primary and readiness stays 200, with one down and the primary listed', async () => {
    const replicas = ['postgres://postgres@127.0.0.1:1/down', t.config.database.url].join(',');
    const app = await startApp({ DATABASE_REPLICA_URLS: replicas });
    try {
      expect(app.config.readReplicas.endpoints).toHaveLength(2);
      for (const path of ['/api/products?page_size=1', '/api/products/hot', '/health/ready']) {
        const res = await app.http.get(path);
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});
