import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';
import { maskedEntry, parseReplicaUrls } from './replica-urls.js';

const PRIMARY = 'postgres://shop:pw@db-primary:5432/shop';

const failure = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw');
};

describe('DATABASE_REPLICA_URLS', () => {
  it('defaults to no replicas, a 5 s maximum lag, 10 connections and a 1 s connect timeout', () => {
    expect(loadConfig({}).readReplicas).toEqual({
      endpoints: [],
      maxLagSeconds: 5,
      poolSize: 10,
      connectTimeoutMs: 1000,
    });
  });

  it('names each replica by host and port, ignoring blanks and a trailing comma', () => {
    expect(
      parseReplicaUrls(' postgres://shop:pw@replica-1/shop, postgresql://replica-2:6432/shop ,,'),
    ).toEqual([
      { name: 'replica-1:5432', url: 'postgres://shop:pw@replica-1/shop' },
      { name: 'replica-2:6432', url: 'postgresql://replica-2:6432/shop' },
    ]);
  });

  it.each([
    [
      'postgres://u:s3cret@replica-1/shop,http://u:s3cret@replica-2/shop',
      'entry 2',
      'must be a postgres:// URL',
    ],
    ['not a url', 'entry 1', 'must be a postgres:// URL'],
    [
      'postgres://u:s3cret@r:5432/a,postgres://u:s3cret@r/b',
      'entry 2',
      'names r:5432 a second time',
    ],
  ])(
    'refuses %j with one line that names the entry and never shows its password',
    (urls, entry, problem) => {
      const message = failure({ DATABASE_URL: PRIMARY, DATABASE_REPLICA_URLS: urls });
      expect(message).toMatch(/^Invalid configuration: DATABASE_REPLICA_URLS entry \d/);
      expect(message).toContain(entry);
      expect(message).toContain(problem);
      expect(message).not.toContain('s3cret');
      expect(message).not.toContain('\n');
    },
  );

  it('takes the primary listed as a replica (its check finds no standby: the primary serves)', () => {
    expect(
      loadConfig({ DATABASE_URL: PRIMARY, DATABASE_REPLICA_URLS: PRIMARY }).readReplicas.endpoints,
    ).toEqual([{ name: 'db-primary:5432', url: PRIMARY }]);
  });

  it('masks everything before the last "@", so a password holding "@", ":" or "/" never shows', () => {
    expect(maskedEntry('postgres://user:p@ss:w/rd@host:5432/db')).toBe(
      'postgres://***@host:5432/db',
    );
    expect(maskedEntry('postgres://host/db')).toBe('postgres://host/db');
    expect(maskedEntry('user:secret@host')).toBe('***@host');
  });

  it('refuses a maximum lag that is not a positive number of seconds', () => {
    expect(failure({ DATABASE_REPLICA_MAX_LAG: '0' })).toContain(
      'DATABASE_REPLICA_MAX_LAG must not be less than 1',
    );
    expect(failure({ DATABASE_REPLICA_MAX_LAG: 'soon' })).toContain(
      'DATABASE_REPLICA_MAX_LAG must be an integer',
    );
  });
});
