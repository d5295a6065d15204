import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/redis.factory.js';
import { slotGroup } from '../redis/redis-keys.js';
import { withTimeout } from './with-timeout.js';

/**
 * Reads the versions of the given tags in one round trip; a tag seen for the first time gets a
 * fresh random version. Versions are random tokens, never counters, so a version key that
 * Redis evicts or loses can never come back with a value an old entry was stored under.
 */
const READ_VERSIONS = `
local versions = {}
for i, key in ipairs(KEYS) do
  local version = redis.call('GET', key)
  if not version then
    version = ARGV[1] .. i
    redis.call('SET', key, version)
  end
  versions[i] = version
end
return table.concat(versions, '.')
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    shopReadVersions(numKeys: number, ...args: string[]): Result<string, Context>;
  }
}

const EPOCH_TAG = 'epoch';
const RETRY_MS = 500;

/**
 * Tag versions for the response cache. A write invalidates by giving its tags new versions;
 * cached entries are keyed by the versions they were loaded under, so an entry loaded before a
 * write can never be read after it.
 *
 * If an invalidation cannot reach Redis, this process stops using the cache (reads bypass it)
 * and keeps trying to change the global epoch, which every key includes; once that succeeds,
 * nothing cached before the failed write can be read by any replica.
 */
export class CacheVersions {
  private readonly logger = new Logger('Cache');
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {
    redis.defineCommand('shopReadVersions', { lua: READ_VERSIONS });
  }

  /** False while an invalidation is outstanding: the cache may hold stale entries. */
  get trustworthy(): boolean {
    return this.retry === undefined;
  }

  /** One hash tag for all versions: the script and MSET below touch several in one call. */
  private key(tag: string): string {
    return `${slotGroup(this.prefix, 'cache:v')}:${tag}`;
  }

  /** The combined version of the tags (and the epoch), e.g. "a1.b1.c2". */
  read(tags: readonly string[]): Promise<string> {
    const keys = [EPOCH_TAG, ...tags].map((tag) => this.key(tag));
    return withTimeout(
      this.redis.shopReadVersions(keys.length, ...keys, randomUUID()),
      this.timeoutMs,
    );
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const version = randomUUID();
    const pairs = tags.flatMap((tag, i) => [this.key(tag), `${version}${i}`]);
    try {
      await withTimeout(this.redis.mset(...pairs), this.timeoutMs * 4);
    } catch (error) {
      this.logger.warn(
        `Invalidation failed (${(error as Error).message}); bypassing the cache until Redis answers`,
      );
      this.scheduleEpochChange();
    }
  }

  private scheduleEpochChange(): void {
    if (this.retry) return;
    this.retry = setInterval(() => {
      this.redis.set(this.key(EPOCH_TAG), randomUUID()).then(
        () => {
          clearInterval(this.retry);
          this.retry = undefined;
          this.logger.log('Cache epoch changed after a failed invalidation; cache back in use');
        },
        () => undefined,
      );
    }, RETRY_MS);
    this.retry.unref();
  }

  close(): void {
    clearInterval(this.retry);
  }
}
