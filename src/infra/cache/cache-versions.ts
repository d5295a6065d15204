import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/redis.factory.js';
import { slotGroup } from '../redis/redis-keys.js';
import { withTimeout } from '../../common/async/with-timeout.js';

/**
 * Reads the versions of the given tags in one round trip; a tag seen for the first time gets a
 * fresh random version. Versions are random tokens, never counters, so a version key that
 * expires, or that Redis evicts or loses, can never come back with a value an old entry was
 * stored under: the entries it guarded are orphaned (never read again, gone at their own TTL).
 *
 * Every version key has a lifetime (ARGV[2], ms). A read that finds less than ARGV[3] ms left
 * (or no TTL at all, as keys written before TTLs had) extends it, so after any read the version
 * outlives every entry stored under it, and a version nobody reads any more expires.
 *
 * A version written by an invalidation ends in "@<ms>", Redis's clock when it was written; the
 * read answers the versions without it, and how many ms ago the youngest of them was written
 * (-1 when none says: a version made by a read, or one written before versions had times).
 *
 * With ARGV[4] = '0' the read writes nothing: it answers the versions it would have made (the
 * same ones a later read with the same ARGV[1] makes) and, third, 1 if it would have written.
 */
const READ_VERSIONS = `
local lifetime = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local writes = ARGV[4] ~= '0'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local youngest = -1
local wanted = 0
local versions = {}
for i, key in ipairs(KEYS) do
  local version = redis.call('GET', key)
  if not version then
    version = ARGV[1] .. i
    wanted = 1
    if writes then redis.call('SET', key, version, 'PX', lifetime) end
  elseif redis.call('PTTL', key) < keep then
    wanted = 1
    if writes then redis.call('PEXPIRE', key, lifetime) end
  end
  local at = string.find(version, '@', 1, true)
  if at then
    local age = math.max(0, now - (tonumber(string.sub(version, at + 1)) or 0))
    if youngest < 0 or age < youngest then youngest = age end
    version = string.sub(version, 1, at - 1)
  end
  versions[i] = version
end
return {table.concat(versions, '.'), youngest, wanted}
`;

/**
 * New random versions for the tags, all at once, each with its lifetime (ARGV[2], ms) and time.
 * With ARGV[3] (unix ms), a version written by an invalidation at or after that time is kept:
 * whatever was cached before ARGV[3] is unreadable already. Answers how many it wrote.
 */
const WRITE_VERSIONS = `
local clock = redis.call('TIME')
local now = string.format('%d', tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000))
local since = tonumber(ARGV[3] or '')
local written = 0
for i, key in ipairs(KEYS) do
  local version = since and redis.call('GET', key)
  local at = version and string.find(version, '@', 1, true)
  if not (at and (tonumber(string.sub(version, at + 1)) or 0) >= since) then
    redis.call('SET', key, ARGV[1] .. i .. '@' .. now, 'PX', ARGV[2])
    written = written + 1
  end
end
return written
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    shopReadVersions(numKeys: number, ...args: string[]): Result<[string, number, number], Context>;
    shopWriteVersions(numKeys: number, ...args: string[]): Result<number, Context>;
  }
}

const EPOCH_TAG = 'epoch';

export interface TagVersions {
  version: string;
  writtenMsAgo: number | null;
}

/**
 * Versions read without writing: `settle` is the read that writes (making the versions that
 * were missing, the same ones, and extending those running low), null when it has nothing to
 * write. It answers whether the versions are still these, so an entry loaded under them may
 * be stored (false: an invalidation came in between).
 */
export interface PeekedVersions extends TagVersions {
  settle: (() => Promise<boolean>) | null;
}
const RETRY_MS = 500;

/**
 * Tag versions for the response cache. A write invalidates by giving its tags new versions;
 * cached entries are keyed by the versions they were loaded under, so an entry loaded before a
 * write can never be read after it.
 *
 * If an invalidation cannot reach Redis, this process stops using the cache (reads bypass it)
 * and keeps trying to change the global epoch, which every key includes (unless another
 * process changed it since: then it is changed already); once that succeeds, nothing cached
 * before the failed write can be read by any replica. `lost` is told of each
 * such invalidation, to record it where a restart of this process does not forget it.
 */
export class CacheVersions {
  private readonly logger = new Logger('Cache');
  private retry: NodeJS.Timeout | undefined;

  /**
   * @param writeLifetimeMs lifetime of versions written by an invalidation; the first read
   *   extends it as far as its entries need.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly writeLifetimeMs: number,
    private readonly lost: (lostAt: number) => Promise<void> = () => Promise.resolve(),
  ) {
    redis.defineCommand('shopReadVersions', { lua: READ_VERSIONS });
    redis.defineCommand('shopWriteVersions', { lua: WRITE_VERSIONS });
  }

  /** False while an invalidation is outstanding: the cache may hold stale entries. */
  get trustworthy(): boolean {
    return this.retry === undefined;
  }

  /** One hash tag for all versions: the two scripts below touch several in one call. */
  private key(tag: string): string {
    return `${slotGroup(this.prefix, 'cache:v')}:${tag}`;
  }

  /**
   * The combined version of the tags (and the epoch), e.g. "a1.b1.c2", and how long ago the
   * youngest of them was written by an invalidation (null: not known to be recent). Each version
   * key is left with at least twice `longestEntryMs` to live (and at most three times), so it
   * outlives any entry stored under it after this read.
   */
  async read(tags: readonly string[], longestEntryMs: number): Promise<TagVersions> {
    const [version, youngest] = await this.run(tags, longestEntryMs, randomUUID(), true);
    return { version, writtenMsAgo: youngest < 0 ? null : youngest };
  }

  /** Like read, but writing nothing until `settle` is called. */
  async peek(tags: readonly string[], longestEntryMs: number): Promise<PeekedVersions> {
    const made = randomUUID();
    const [version, youngest, wanted] = await this.run(tags, longestEntryMs, made, false);
    const settle = async (): Promise<boolean> =>
      (await this.run(tags, longestEntryMs, made, true))[0] === version;
    return {
      version,
      writtenMsAgo: youngest < 0 ? null : youngest,
      settle: wanted ? settle : null,
    };
  }

  private run(
    tags: readonly string[],
    longestEntryMs: number,
    made: string,
    writes: boolean,
  ): Promise<[string, number, number]> {
    const keys = [EPOCH_TAG, ...tags].map((tag) => this.key(tag));
    return withTimeout(
      this.redis.shopReadVersions(
        keys.length,
        ...keys,
        made,
        String(longestEntryMs * 3),
        String(longestEntryMs * 2),
        writes ? '1' : '0',
      ),
      this.timeoutMs,
    );
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    try {
      await this.write(tags, this.timeoutMs * 4);
    } catch (error) {
      this.logger.warn(
        `Invalidation failed (${(error as Error).message}); bypassing the cache until Redis answers`,
      );
      const lostAt = Date.now();
      this.scheduleEpochChange(lostAt);
      await this.lost(lostAt);
    }
  }

  /**
   * A new global epoch: nothing cached before can be read again, by any process. With
   * `unlessChangedSince` (unix ms), an epoch changed at or after that time is kept.
   */
  async changeEpoch(unlessChangedSince?: number): Promise<void> {
    await this.write([EPOCH_TAG], this.timeoutMs * 4, unlessChangedSince);
  }

  private write(
    tags: readonly string[],
    timeoutMs: number,
    unlessWrittenSince?: number,
  ): Promise<number> {
    const keys = tags.map((tag) => this.key(tag));
    return withTimeout(
      this.redis.shopWriteVersions(
        keys.length,
        ...keys,
        randomUUID(),
        String(this.writeLifetimeMs),
        ...(unlessWrittenSince === undefined ? [] : [String(unlessWrittenSince)]),
      ),
      timeoutMs,
    );
  }

  /** Changes the epoch once Redis answers, unless another process changed it since `lostAt`. */
  private scheduleEpochChange(lostAt: number): void {
    if (this.retry) return;
    this.retry = setInterval(() => {
      this.changeEpoch(lostAt).then(
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
