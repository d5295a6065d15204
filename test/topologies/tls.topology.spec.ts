import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, register, signUp } from '../support/factories.js';
import { freePort } from '../support/processes.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { killRedis, spawnRedis } from '../support/redis-server.js';
import { SentinelGroup } from '../support/redis-sentinel.js';
import { makeTlsMaterial, tlsArgs, tlsClient, type TlsMaterial } from '../support/redis-tls.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, type TestApp } from '../support/test-app.js';

let tls: TlsMaterial;
let smtp: SmtpSink;
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  tls = makeTlsMaterial();
  smtp = await SmtpSink.start();
  const port = await freePort();
  // TLS only, and a client must show a certificate of the CA.
  server = await spawnRedis({
    port,
    args: [...tlsArgs(tls, port, 'yes'), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    client: tlsClient(tls),
  });
  url = `rediss://127.0.0.1:${port}/0`;
});
afterAll(async () => {
  await killRedis(server);
  await smtp.stop();
});

async function withApp(env: NodeJS.ProcessEnv, test: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await startApp({ RUN_WORKERS: 'true', SMTP_URL: smtp.url, ...env });
  try {
    await test(t);
  } finally {
    await t.close();
  }
}

/**
 * Readiness, the cache (a miss, then a hit) and a mail through the queue, on one connection.
 * Readiness is polled as a kubelet does: through Sentinel the first connection asks a sentinel
 * and then the master, two TLS handshakes that a loaded machine can stretch past the check's
 * timeout.
 */
async function expectRedisWorks(t: TestApp): Promise<void> {
  await eventually(async () => {
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
  const admin = await signUp(t, { role: 'admin' });
  const product = await createProduct(t, admin);
  const reads = [
    await t.http.get(`/api/products/${product.id}`),
    await t.http.get(`/api/products/${product.id}`),
  ];
  expect(reads.map((res) => res.headers['x-cache'])).toEqual(['MISS', 'HIT']);
  const newcomer = await register(t);
  await smtp.waitFor(newcomer.email, /Welcome/);
}

describe('rediss://', () => {
  it('serves readiness, the cache and the queues over TLS with the CA and a client certificate', () =>
    withApp(
      {
        REDIS_URL: url,
        REDIS_TLS_CA_FILE: tls.ca,
        REDIS_TLS_CERT_FILE: tls.clientCert,
        REDIS_TLS_KEY_FILE: tls.clientKey,
      },
      expectRedisWorks,
    ));

  it('refuses a server its CA did not sign, and accepts it only when told not to verify', async () => {
    const stranger = makeTlsMaterial();
    const client = {
      REDIS_TLS_CERT_FILE: tls.clientCert,
      REDIS_TLS_KEY_FILE: tls.clientKey,
      RUN_WORKERS: 'false',
    };
    await withApp({ REDIS_URL: url, REDIS_TLS_CA_FILE: stranger.ca, ...client }, async (t) => {
      expect((await t.http.get('/health/ready')).status).toBe(503);
      expect((await t.http.get('/api/products?page_size=1')).headers['x-cache']).toBe('BYPASS');
    });
    await withApp(
      { REDIS_URL: url, REDIS_TLS_REJECT_UNAUTHORIZED: 'false', ...client },
      async (t) => {
        expect((await t.http.get('/health/ready')).status).toBe(200);
      },
    );
  });

  it('reaches the master of a TLS Sentinel group through rediss+sentinel://', async () => {
    const group = await SentinelGroup.start({ tls });
    try {
      await withApp({ REDIS_URL: group.url, REDIS_TLS_CA_FILE: tls.ca }, expectRedisWorks);
    } finally {
      await group.stop();
    }
  });

  it('works on a TLS Redis Cluster given rediss:// nodes', async () => {
    const cluster = await RedisCluster.start({ masters: 3, replicasEach: 0, tls });
    try {
      await withApp(
        { REDIS_CLUSTER_NODES: cluster.nodeList, REDIS_TLS_CA_FILE: tls.ca },
        expectRedisWorks,
      );
    } finally {
      await cluster.stop();
    }
  });
});
