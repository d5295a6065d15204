import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Result } from 'ioredis';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import type { RedisClient } from '../redis/redis.factory.js';
import { InjectRedis } from '../redis/redis.tokens.js';
import { slotGroup } from '../redis/redis-keys.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import { CACHE_TIMEOUT_MS } from './response-cache.js';

/** What a served read is counted as: one more for `id` in `group` (e.g. a product's views). */
export interface ReadCount {
  readonly group: string;
  readonly id: number;
}

/** Ids one group holds between two takes; reads of further ids are not counted until then. */
export const MAX_COUNTED_IDS = 100_000;
/**
 * How long a group's counts wait for a take at most: if nothing takes them (no process flushes)
 * they expire instead of growing, which loses them but keeps Redis bounded.
 */
const COUNTS_LIFETIME_MS = 10 * 60_000;

/**
 * Adds counts (ARGV[3..]: id, n, id, n, ...) to the hash, each unless it is a field the hash
 * lacks while it already holds ARGV[1] others; the hash gets its lifetime (ARGV[2], ms) when it
 * is created and keeps it.
 */
const COUNT = `
for i = 3, #ARGV - 1, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 or redis.call('HLEN', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * How long counts gather in the process before they leave in one call: a hot product read
 * thousands of times a second costs Redis one command per this interval, not one per read.
 */
export const COUNT_SEND_MS = 100;

/** Every count, and the hash gone, in one step: two takers never both get a count. */
const TAKE = `
local counts = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return counts
`;

/** Counts that could not be written back, added again (ARGV: id, n, id, n, ...; last: lifetime). */
const GIVE_BACK = `
for i = 1, #ARGV - 1, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[#ARGV]) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    shopCountReads(numKeys: number, ...args: string[]): Result<number, Context>;
    shopTakeReads(numKeys: number, ...args: string[]): Result<string[], Context>;
    shopGiveBackReads(numKeys: number, ...args: string[]): Result<number, Context>;
  }
}

/**
 * Counts of served reads in Redis (a hash per group: id -> count), for the figures that must
 * not cost a database write per read, such as product views. Counting never waits and never
 * fails a read: counts gather in the process for COUNT_SEND_MS and leave together, unawaited;
 * while Redis is away reads are not counted. Counts are written back elsewhere by whoever takes
 * them (`take`); several takers at once each get different counts, never the same ones twice.
 */
@Injectable()
export class ReadCounts implements OnModuleDestroy {
  private readonly logger = new Logger('ReadCounts');
  private failing = false;
  private readonly gathering = new Map<string, Map<number, number>>();
  private sending: NodeJS.Timeout | undefined;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    redis.defineCommand('shopCountReads', { lua: COUNT });
    redis.defineCommand('shopTakeReads', { lua: TAKE });
    redis.defineCommand('shopGiveBackReads', { lua: GIVE_BACK });
  }

  /** One key per group and deployment, in a tag of its own: each script touches only it. */
  private key(group: string): string {
    return `${slotGroup(this.config.redis.prefix, 'reads')}:${group}`;
  }

  /** Counts one read; returns at once, whatever Redis does. */
  count({ group, id }: ReadCount): void {
    if (this.redis.status !== 'ready') return;
    const counts = this.gathering.get(group) ?? new Map<number, number>();
    if (!counts.has(id) && counts.size >= MAX_COUNTED_IDS) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    this.gathering.set(group, counts);
    this.sending ??= setTimeout(() => void this.send(), COUNT_SEND_MS).unref();
  }

  /** The counts gathered since the last send, one call per group; lost if Redis fails it. */
  private async send(): Promise<void> {
    this.sending = undefined;
    const groups = [...this.gathering];
    this.gathering.clear();
    await Promise.all(
      groups.map(([group, counts]) =>
        this.redis
          .shopCountReads(
            1,
            this.key(group),
            String(MAX_COUNTED_IDS),
            String(COUNTS_LIFETIME_MS),
            ...[...counts].flatMap(([id, n]) => [String(id), String(n)]),
          )
          .then(
            () => {
              if (this.failing) this.logger.log('Counting reads again');
              this.failing = false;
            },
            (error: unknown) => {
              if (!this.failing) {
                this.logger.warn(
                  `Reads not counted, Redis unavailable: ${(error as Error).message}`,
                );
              }
              this.failing = true;
            },
          ),
      ),
    );
  }

  /** What is still gathered leaves before the process stops. */
  async onModuleDestroy(): Promise<void> {
    if (this.sending === undefined) return;
    clearTimeout(this.sending);
    await this.send();
  }

  /** Takes every count of the group, leaving none behind. Throws when Redis cannot answer. */
  async take(group: string): Promise<Map<number, number>> {
    const flat = await withTimeout(
      this.redis.shopTakeReads(1, this.key(group)),
      CACHE_TIMEOUT_MS * 4,
    );
    const counts = new Map<number, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      counts.set(Number(flat[i]), Number(flat[i + 1]));
    }
    return counts;
  }

  /** Puts taken counts back, when they could not be written where they belong. */
  async giveBack(group: string, counts: ReadonlyMap<number, number>): Promise<void> {
    if (counts.size === 0) return;
    const args = [...counts].flatMap(([id, n]) => [String(id), String(n)]);
    await withTimeout(
      this.redis.shopGiveBackReads(1, this.key(group), ...args, String(COUNTS_LIFETIME_MS)),
      CACHE_TIMEOUT_MS * 4,
    );
  }
}
