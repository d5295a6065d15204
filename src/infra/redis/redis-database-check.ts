import { withTimeout } from '../../common/async/with-timeout.js';
import type { RedisConnectionConfig } from '../../config/redis-connection.js';
import { ConfigError } from '../../config/load-config.js';
import { createRedisClient } from './redis.factory.js';

/** How long start-up waits for Redis to answer the check; an unreachable Redis is an outage. */
const CHECK_TIMEOUT_MS = 3000;

/**
 * A database index in REDIS_URL that the server does not have is a configuration error: ioredis
 * logs the refused SELECT and goes on in database 0, where the cache, the counters and the
 * queues would mix with whatever else lives there. Asked once at start-up; a Redis that cannot
 * be reached is left to readiness, like any outage.
 */
export async function checkRedisDatabase(connection: RedisConnectionConfig): Promise<void> {
  const { topology } = connection;
  if (topology.kind === 'cluster' || topology.db === 0) return;
  const client = createRedisClient(
    { ...connection, topology: { ...topology, db: 0 } },
    { name: 'shop-setup' },
  );
  client.on('error', () => undefined);
  try {
    // Ordinary clients keep no offline queue: a command before `ready` would just be refused.
    await withTimeout(new Promise((resolve) => client.once('ready', resolve)), CHECK_TIMEOUT_MS);
    await withTimeout(client.call('SELECT', topology.db), CHECK_TIMEOUT_MS);
  } catch (error) {
    if (/DB index is out of range/i.test((error as Error).message)) {
      throw new ConfigError(
        `Invalid configuration: REDIS_URL names database ${topology.db}, which this Redis does not have (its "databases" setting is lower)`,
      );
    }
  } finally {
    client.disconnect();
  }
}
