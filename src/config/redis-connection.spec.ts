import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const fail = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw');
};

const connection = (env: NodeJS.ProcessEnv) => loadConfig(env).redis.connection;

const pem = (name: string, text = `-----BEGIN ${name}-----\n-----END ${name}-----\n`): string => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'redis-tls-')), `${name}.pem`);
  writeFileSync(file, text);
  return file;
};

describe('REDIS_URL and REDIS_CLUSTER_NODES', () => {
  it('reads one server with its db index and credentials, without TLS by default', () => {
    expect(connection({})).toEqual({
      topology: { kind: 'single', server: { host: 'localhost', port: 6379 }, db: 0 },
      username: undefined,
      password: undefined,
      tls: undefined,
    });
    expect(connection({ REDIS_URL: 'redis://app:s%40cret@cache.internal:6380/3' })).toEqual({
      topology: { kind: 'single', server: { host: 'cache.internal', port: 6380 }, db: 3 },
      username: 'app',
      password: 's@cret',
      tls: undefined,
    });
    expect(connection({ REDIS_URL: 'redis://redis_master:6379' }).topology).toMatchObject({
      server: { host: 'redis_master', port: 6379 },
    });
    expect(connection({ REDIS_URL: 'redis://:pw@[::1]' }).topology).toEqual({
      kind: 'single',
      server: { host: '::1', port: 6379 },
      db: 0,
    });
  });

  it('turns TLS on for rediss://, verifying the server by default', () => {
    expect(connection({ REDIS_URL: 'rediss://cache:6379/0' }).tls).toEqual({
      ca: undefined,
      cert: undefined,
      key: undefined,
      rejectUnauthorized: true,
    });
    expect(
      connection({ REDIS_URL: 'rediss://cache', REDIS_TLS_REJECT_UNAUTHORIZED: 'false' }).tls
        ?.rejectUnauthorized,
    ).toBe(false);
  });

  it('reads a Sentinel group: sentinels (port 26379 by default), master name, db and passwords', () => {
    expect(
      connection({
        REDIS_URL: 'redis+sentinel://:master-pw@s1:26380,s2,10.0.0.3:26381/mymaster/2',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
      }),
    ).toEqual({
      topology: {
        kind: 'sentinel',
        sentinels: [
          { host: 's1', port: 26380 },
          { host: 's2', port: 26379 },
          { host: '10.0.0.3', port: 26381 },
        ],
        masterName: 'mymaster',
        db: 2,
        sentinelPassword: 'sentinel-pw',
      },
      username: undefined,
      password: 'master-pw',
      tls: undefined,
    });
    const tls = connection({ REDIS_URL: 'rediss+sentinel://s1:26379/main' });
    expect(tls.topology).toMatchObject({ kind: 'sentinel', masterName: 'main', db: 0 });
    expect(tls.tls?.rejectUnauthorized).toBe(true);
  });

  it('reads a cluster from REDIS_CLUSTER_NODES, which replaces REDIS_URL', () => {
    expect(
      connection({ REDIS_URL: 'redis://ignored:6379', REDIS_CLUSTER_NODES: 'n1:7000, n2:7001,n3' }),
    ).toEqual({
      topology: {
        kind: 'cluster',
        nodes: [
          { host: 'n1', port: 7000 },
          { host: 'n2', port: 7001 },
          { host: 'n3', port: 6379 },
        ],
      },
      username: undefined,
      password: undefined,
      tls: undefined,
    });
    const secured = connection({ REDIS_CLUSTER_NODES: 'rediss://app:pw@n1:7000,n2:7001' });
    expect(secured).toMatchObject({ username: 'app', password: 'pw' });
    expect(secured.tls?.rejectUnauthorized).toBe(true);
  });

  it('reads the TLS files at start-up', () => {
    const ca = pem('CA');
    const cert = pem('CERT');
    const key = pem('KEY');
    expect(
      connection({
        REDIS_URL: 'rediss://cache',
        REDIS_TLS_CA_FILE: ca,
        REDIS_TLS_CERT_FILE: cert,
        REDIS_TLS_KEY_FILE: key,
      }).tls,
    ).toEqual({
      ca: '-----BEGIN CA-----\n-----END CA-----\n',
      cert: '-----BEGIN CERT-----\n-----END CERT-----\n',
      key: '-----BEGIN KEY-----\n-----END KEY-----\n',
      rejectUnauthorized: true,
    });
  });

  it.each([
    [{ REDIS_URL: 'redis://' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ REDIS_URL: 'redis://cache:99999' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ REDIS_URL: 'redis://cache/zero' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ REDIS_URL: 'redis://cache/0?family=6' }, 'REDIS_URL must be a redis:// or rediss://'],
    [{ REDIS_URL: 'redis+sentinel://s1:26379' }, 'REDIS_URL must be a redis:// or rediss://'],
    [{ REDIS_URL: 'redis+sentinel://s1,/m' }, 'REDIS_URL must be a redis:// or rediss://'],
    [{ REDIS_URL: 'redis+sentinel://s1/m/x' }, 'REDIS_URL has a database index'],
    [{ REDIS_CLUSTER_NODES: 'n1:7000,,n2' }, 'REDIS_CLUSTER_NODES must be host:port,host:port'],
    [{ REDIS_CLUSTER_NODES: 'redis://n1:7000/0' }, 'REDIS_CLUSTER_NODES must be host:port'],
    [{ REDIS_SENTINEL_PASSWORD: 'x' }, 'REDIS_SENTINEL_PASSWORD is set, but REDIS_URL is not'],
    [{ REDIS_TLS_CA_FILE: '/ca.pem' }, 'REDIS_TLS_CA_FILE is set, but the Redis connection is not'],
    [
      { REDIS_URL: 'rediss://cache', REDIS_TLS_CERT_FILE: '/cert.pem' },
      'REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE must be set together',
    ],
    [
      { REDIS_URL: 'rediss://cache', REDIS_TLS_CA_FILE: '/nowhere/ca.pem' },
      'REDIS_TLS_CA_FILE cannot be read',
    ],
    [{ REDIS_TLS_REJECT_UNAUTHORIZED: 'perhaps' }, 'REDIS_TLS_REJECT_UNAUTHORIZED must be true'],
  ])('rejects %j with one line naming the variable', (env, expected) => {
    const message = fail(env);
    expect(message).toContain(`Invalid configuration: ${expected}`);
    expect(message).not.toContain('\n');
  });

  it('never prints a Redis password in an error', () => {
    const message = fail({ REDIS_URL: 'redis+sentinel://:hunter2@s1/m/x' });
    expect(message).toContain('redis+sentinel://:***@s1/m/x');
    expect(message).not.toContain('hunter2');
    expect(fail({ REDIS_CLUSTER_NODES: 'rediss://u:hunter2@n1:70000' })).not.toContain('hunter2');
    expect(fail({ REDIS_SENTINEL_PASSWORD: 'hunter2' })).not.toContain('hunter2');
  });
});
