import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { RedisClient } from '../redis/redis.factory.js';
import { withTimeout } from '../../common/async/with-timeout.js';

/**
 * A Keyv store on the service's ioredis client, for cache-manager's Redis tier. Reads give up
 * after `timeoutMs` (cache-manager then treats them as misses); writes never fail the request
 * that triggered them, because a cache write is an optimisation, not part of the answer.
 */
export class IoredisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts = {};
  namespace?: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await withTimeout(this.redis.get(key), this.timeoutMs);
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    try {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (ttl)
        await withTimeout(
          this.redis.set(key, text, 'PX', Math.max(1, Math.round(ttl))),
          this.timeoutMs,
        );
      else await withTimeout(this.redis.set(key, text), this.timeoutMs);
      return true;
    } catch {
      // Not emitted as 'error': an unheard 'error' event would crash the process.
      return false;
    }
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(key)) > 0;
  }

  /** Entries expire on their own; clearing a shared Redis by pattern is not this store's job. */
  async clear(): Promise<void> {
    // nothing to do
  }
}
