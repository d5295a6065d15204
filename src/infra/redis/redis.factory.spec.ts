import { describe, expect, it } from 'vitest';
import type { RedisTopology } from '../../config/redis-connection.js';
import { clusterOptions, redisOptions } from './redis.factory.js';

const tls = { ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: true };
const single = { kind: 'single', server: { host: 'r', port: 6379 }, db: 2 } satisfies RedisTopology;
const sentinel = {
  kind: 'sentinel',
  sentinels: [{ host: 's1', port: 26379 }],
  masterName: 'main',
  db: 1,
  sentinelPassword: 'sentinel-pw',
} satisfies RedisTopology;
const cluster = { kind: 'cluster', nodes: [{ host: 'n1', port: 7000 }] } satisfies RedisTopology;
const connection = <T extends RedisTopology>(topology: T, secure = false) => ({
  topology,
  username: 'app',
  password: 'pw',
  tls: secure ? tls : undefined,
});
const expectedTls = { ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: true };

describe('Redis client options', () => {
  it('fail fast for ordinary clients and wait for blocking ones, on one server and on Sentinel', () => {
    for (const topology of [single, sentinel]) {
      expect(redisOptions(connection(topology), { name: 'main' })).toMatchObject({
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
        enableAutoPipelining: true,
      });
      const blocking = redisOptions(connection(topology), { name: 'w', blocking: true });
      expect(blocking).toMatchObject({ enableOfflineQueue: true, maxRetriesPerRequest: null });
      expect(blocking.commandTimeout).toBeUndefined();
    }
  });

  it('fail fast for ordinary clients and wait for blocking ones, on every cluster node', () => {
    const fast = clusterOptions(connection(cluster), { name: 'main' });
    expect(fast).toMatchObject({ enableOfflineQueue: false });
    expect(fast.enableAutoPipelining).toBeUndefined();
    expect(fast.redisOptions).toMatchObject({ maxRetriesPerRequest: 1, commandTimeout: 500 });
    const blocking = clusterOptions(connection(cluster), { name: 'w', blocking: true });
    expect(blocking.enableOfflineQueue).toBe(true);
    expect(blocking.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
  });

  it('connects to the server of the URL with its db and credentials', () => {
    expect(redisOptions(connection(single), { name: 'main' })).toMatchObject({
      host: 'r',
      port: 6379,
      db: 2,
      username: 'app',
      password: 'pw',
      connectionName: 'main',
      tls: undefined,
    });
  });

  it('finds the master through the sentinels, with their own password', () => {
    expect(redisOptions(connection(sentinel), { name: 'main' })).toMatchObject({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'main',
      db: 1,
      password: 'pw',
      sentinelPassword: 'sentinel-pw',
      enableTLSForSentinelMode: false,
    });
  });

  it('uses TLS, with the CA and client certificate, to every server of every topology', () => {
    expect(redisOptions(connection(single, true), { name: 'm' }).tls).toEqual(expectedTls);
    expect(redisOptions(connection(sentinel, true), { name: 'm' })).toMatchObject({
      tls: expectedTls,
      enableTLSForSentinelMode: true,
      sentinelTLS: expectedTls,
    });
    expect(clusterOptions(connection(cluster, true), { name: 'm' }).redisOptions?.tls).toEqual(
      expectedTls,
    );
    expect(clusterOptions(connection(cluster), { name: 'm' }).redisOptions?.tls).toBeUndefined();
  });
});
