import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type {
  RedisConnectionConfig,
  RedisTls,
  RedisTopology,
} from '../../config/redis-connection.js';
import { withTimeout } from '../../common/async/with-timeout.js';

/** A connection to Redis in any topology: one server or a Sentinel group (Redis), or a Cluster. */
export type RedisClient = Redis | Cluster;

/** Where an ioredis `Redis` connects: one server, or the master a Sentinel group names. */
type ServerConnection = RedisConnectionConfig & {
  topology: Exclude<RedisTopology, { kind: 'cluster' }>;
};

export interface RedisClientOptions {
  name: string;
  /** Queue workers block on Redis and must wait through outages instead of failing commands. */
  blocking?: boolean;
}

const retry = (attempt: number): number => Math.min(attempt * 200, 2000);

/** After a Sentinel failover a client still on the demoted master is told READONLY: move on. */
const onDemotedMaster = (error: Error): boolean => error.message.startsWith('READONLY');

const tlsOptions = (tls: RedisTls): ConnectionOptions => ({
  ...(tls.ca === undefined ? {} : { ca: tls.ca }),
  ...(tls.cert === undefined ? {} : { cert: tls.cert }),
  ...(tls.key === undefined ? {} : { key: tls.key }),
  rejectUnauthorized: tls.rejectUnauthorized,
});

/** What every connection to a Redis server gets, whatever the topology. */
function serverOptions(connection: RedisConnectionConfig, { name, blocking }: RedisClientOptions) {
  return {
    connectionName: name,
    username: connection.username,
    password: connection.password,
    tls: connection.tls && tlsOptions(connection.tls),
    ...(blocking
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2000 }),
  } satisfies RedisOptions;
}

/**
 * The ioredis options of a connection (for one server or a Sentinel group). Ordinary clients
 * fail fast while Redis is away (no offline queue, one retry, short command timeout) so callers
 * can fall back; blocking clients (BullMQ workers) queue their commands and reconnect.
 */
export function redisOptions(
  connection: ServerConnection,
  options: RedisClientOptions,
): RedisOptions {
  const { topology } = connection;
  const common = {
    ...serverOptions(connection, options),
    retryStrategy: retry,
    reconnectOnError: onDemotedMaster,
    ...(options.blocking
      ? { enableOfflineQueue: true }
      : {
          enableOfflineQueue: false,
          // Commands issued in one tick (a cache version read and a rate-limit count, and those
          // of concurrent requests) leave in one write: fewer syscalls under load.
          enableAutoPipelining: true,
        }),
  } satisfies RedisOptions;
  switch (topology.kind) {
    case 'single':
      return { ...common, host: topology.server.host, port: topology.server.port, db: topology.db };
    case 'sentinel':
      return {
        ...common,
        sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
        name: topology.masterName,
        db: topology.db,
        sentinelPassword: topology.sentinelPassword,
        // A sentinel that does not answer must not hold up finding the master.
        sentinelCommandTimeout: 1000,
        enableTLSForSentinelMode: connection.tls !== undefined,
        sentinelTLS: connection.tls && tlsOptions(connection.tls),
      };
  }
}

/** The ioredis Cluster options, with the same fail-fast and blocking behaviour per node. */
export function clusterOptions(
  connection: RedisConnectionConfig,
  options: RedisClientOptions,
): ClusterOptions {
  return {
    redisOptions: serverOptions(connection, options),
    clusterRetryStrategy: retry,
    slotsRefreshTimeout: 2000,
    // No auto-pipelining: ioredis groups such commands by the slot of their first argument,
    // which for EVAL (the rate limit) and scripts called with a key count first is not a key, so
    // one pipeline would mix slots and fail.
    enableOfflineQueue: options.blocking === true,
    // ioredis would resolve node names to addresses first; over TLS the certificate names the
    // host, so the name is kept (what ElastiCache with in-transit encryption needs).
    ...(connection.tls
      ? {
          dnsLookup: (address: string, callback: (error: null, address: string) => void) => {
            callback(null, address);
          },
        }
      : {}),
  };
}

/** The settings a client was made with, so that a blocking copy of it can be made. */
const made = new WeakMap<RedisClient, RedisConnectionConfig>();

/** Every Redis connection of the service is made here. */
export function createRedisClient(
  connection: RedisConnectionConfig,
  options: RedisClientOptions,
): RedisClient {
  const { topology } = connection;
  const client =
    topology.kind === 'cluster'
      ? new Cluster(
          topology.nodes.map(({ host, port }) => ({ host, port })),
          clusterOptions(connection, options),
        )
      : new Redis(redisOptions({ ...connection, topology }, options));
  made.set(client, connection);
  return client;
}

/** A blocking client to wherever `client` connects (BullMQ workers are given the producers'). */
export function createBlockingCopy(client: RedisClient, name: string): RedisClient {
  const connection = made.get(client);
  if (!connection) throw new Error('this Redis client was not made by createRedisClient');
  return createRedisClient(connection, { name, blocking: true });
}

/**
 * Closes a client politely, or at once when Redis is not there: a blocking client would queue
 * its QUIT until Redis came back.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await withTimeout(client.quit(), 1000).catch(() => {
    client.disconnect();
  });
}
