import { Redis, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  url: string;
  name: string;
  /** Queue workers block on Redis and must wait through outages instead of failing commands. */
  blocking?: boolean;
}

/**
 * Every Redis connection of the service is made here. The URL's db index is honoured. Ordinary
 * clients fail fast while Redis is away (no offline queue, short command timeout) so callers can
 * fall back; blocking clients (BullMQ workers) wait and reconnect.
 */
export function createRedisClient({ url, name, blocking = false }: RedisClientOptions): Redis {
  const options: RedisOptions = {
    connectionName: name,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    reconnectOnError: () => true,
    ...(blocking
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : {
          maxRetriesPerRequest: 1,
          // Commands issued in one tick (a cache version read and a rate-limit count, and those
          // of concurrent requests) leave in one write: fewer syscalls under load.
          enableAutoPipelining: true,
          enableOfflineQueue: false,
          commandTimeout: 500,
          connectTimeout: 2000,
        }),
  };
  return new Redis(url, options);
}
