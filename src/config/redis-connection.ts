import { readFileSync } from 'node:fs';

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Where Redis is: one server, a Sentinel group watching a master, or a Redis Cluster. */
export type RedisTopology =
  | { readonly kind: 'single'; readonly server: RedisEndpoint; readonly db: number }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisEndpoint[];
      readonly masterName: string;
      readonly db: number;
      /** The sentinels' own password (REDIS_SENTINEL_PASSWORD), when they require one. */
      readonly sentinelPassword: string | undefined;
    }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisEndpoint[] };

export interface RedisTls {
  /** PEM texts read from the REDIS_TLS_*_FILE settings; without a CA, Node's trusted roots. */
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly rejectUnauthorized: boolean;
}

export interface RedisConnectionConfig {
  readonly topology: RedisTopology;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Present when the connection is TLS (rediss://, rediss+sentinel://, rediss:// cluster nodes). */
  readonly tls: RedisTls | undefined;
}

/** The Redis settings of the environment, as the schema typed them. */
export interface RedisEnvironment {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_TLS_CA_FILE?: string;
  REDIS_TLS_CERT_FILE?: string;
  REDIS_TLS_KEY_FILE?: string;
  REDIS_TLS_REJECT_UNAUTHORIZED: boolean;
}

/** A setting that does not make sense; the message starts with the variable's name. */
export class RedisSettingError extends Error {
  constructor(
    readonly variable: keyof RedisEnvironment,
    problem: string,
    /** Whether the value may be shown (it carries no secret once masked). */
    readonly showValue = true,
  ) {
    super(`${variable} ${problem}`);
  }
}

export const REDIS_URL_FORMS =
  'must be a redis:// or rediss:// URL, or redis+sentinel://host:port,host:port/master-name[/db] (rediss+sentinel:// for TLS)';
const CLUSTER_FORMS =
  'must be host:port,host:port,... (optionally rediss://user:password@host:port,... for TLS and credentials)';

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)$/;

function parseEndpoint(text: string, defaultPort: number): RedisEndpoint | undefined {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match?.[1] || !HOST.test(match[1])) return undefined;
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function parseEndpoints(text: string, defaultPort: number): RedisEndpoint[] | undefined {
  const endpoints = text.split(',').map((part) => parseEndpoint(part, defaultPort));
  return endpoints.every((endpoint) => endpoint !== undefined) ? endpoints : undefined;
}

function decode(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

interface Credentials {
  username: string | undefined;
  password: string | undefined;
}

function credentials(userinfo: string | undefined): Credentials {
  if (userinfo === undefined) return { username: undefined, password: undefined };
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { username: decode(userinfo), password: undefined };
  return {
    username: decode(userinfo.slice(0, colon)),
    password: decode(userinfo.slice(colon + 1)),
  };
}

const DB = /^(?:0|[1-9]\d{0,4})$/;

function parseUrl(url: string): Credentials & { topology: RedisTopology; tls: boolean } {
  // [scheme] :// [userinfo @] hosts [/path]; no query or fragment (nothing would read them).
  const match = /^(rediss?)(\+sentinel)?:\/\/(?:([^@/]*)@)?([^/?#@]+)(\/[^?#]*)?$/.exec(url);
  if (!match) throw new RedisSettingError('REDIS_URL', REDIS_URL_FORMS);
  const [, scheme, sentinel, userinfo, hosts = '', path = ''] = match;
  const tls = scheme === 'rediss';
  const segments = path.split('/').filter(Boolean);
  if (!sentinel) {
    const server = parseEndpoint(hosts, 6379);
    if (!server || segments.length > 1 || (segments[0] !== undefined && !DB.test(segments[0])))
      throw new RedisSettingError('REDIS_URL', REDIS_URL_FORMS);
    const topology: RedisTopology = { kind: 'single', server, db: Number(segments[0] ?? 0) };
    return { topology, tls, ...credentials(userinfo) };
  }
  const sentinels = parseEndpoints(hosts, 26379);
  const [masterName, db = '0'] = segments;
  if (!sentinels || !masterName || !/^[A-Za-z0-9._-]+$/.test(masterName)) {
    throw new RedisSettingError('REDIS_URL', REDIS_URL_FORMS);
  }
  if (segments.length > 2 || !DB.test(db)) {
    throw new RedisSettingError('REDIS_URL', 'has a database index that is not a number');
  }
  const topology: RedisTopology = {
    kind: 'sentinel',
    sentinels,
    masterName,
    db: Number(db),
    sentinelPassword: undefined,
  };
  return { topology, tls, ...credentials(userinfo) };
}

function parseClusterNodes(value: string): Credentials & { topology: RedisTopology; tls: boolean } {
  const match = /^(?:(rediss?):\/\/(?:([^@/]*)@)?)?([^/?#@]+)\/?$/.exec(value.trim());
  const nodes = match?.[3] === undefined ? undefined : parseEndpoints(match[3], 6379);
  if (!match || !nodes) throw new RedisSettingError('REDIS_CLUSTER_NODES', CLUSTER_FORMS);
  return {
    topology: { kind: 'cluster', nodes },
    tls: match[1] === 'rediss',
    ...credentials(match[2]),
  };
}

function readPem(variable: keyof RedisEnvironment, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RedisSettingError(variable, `cannot be read: ${(error as Error).message}`, false);
  }
}

/**
 * The Redis connection the environment describes: REDIS_CLUSTER_NODES when set (a cluster),
 * otherwise REDIS_URL (one server or a Sentinel group), with the TLS files read now so that a
 * missing file stops start-up rather than the first connection.
 */
export function redisConnection(env: RedisEnvironment): RedisConnectionConfig {
  const parsed =
    env.REDIS_CLUSTER_NODES === undefined
      ? parseUrl(env.REDIS_URL)
      : parseClusterNodes(env.REDIS_CLUSTER_NODES);
  let topology = parsed.topology;
  if (env.REDIS_SENTINEL_PASSWORD !== undefined) {
    if (topology.kind !== 'sentinel') {
      throw new RedisSettingError(
        'REDIS_SENTINEL_PASSWORD',
        'is set, but REDIS_URL is not a redis+sentinel:// URL',
        false,
      );
    }
    topology = { ...topology, sentinelPassword: env.REDIS_SENTINEL_PASSWORD };
  }
  const files = ['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE'] as const;
  if (!parsed.tls) {
    const stray = files.find((name) => env[name] !== undefined);
    if (stray) {
      throw new RedisSettingError(
        stray,
        'is set, but the Redis connection is not TLS (use rediss://, rediss+sentinel:// or rediss:// cluster nodes)',
      );
    }
  }
  if ((env.REDIS_TLS_CERT_FILE === undefined) !== (env.REDIS_TLS_KEY_FILE === undefined)) {
    throw new RedisSettingError(
      'REDIS_TLS_CERT_FILE',
      'and REDIS_TLS_KEY_FILE must be set together',
    );
  }
  const tls: RedisTls | undefined = parsed.tls
    ? {
        ca: readPem('REDIS_TLS_CA_FILE', env.REDIS_TLS_CA_FILE),
        cert: readPem('REDIS_TLS_CERT_FILE', env.REDIS_TLS_CERT_FILE),
        key: readPem('REDIS_TLS_KEY_FILE', env.REDIS_TLS_KEY_FILE),
        rejectUnauthorized: env.REDIS_TLS_REJECT_UNAUTHORIZED,
      }
    : undefined;
  return { topology, username: parsed.username, password: parsed.password, tls };
}
