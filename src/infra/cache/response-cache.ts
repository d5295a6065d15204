import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createKeyv } from '@cacheable/memory';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { readsFromPrimary } from '../database/read-routing.js';
import { replicaStalenessBoundMs } from '../database/replica-lag.js';
import type { RedisClient } from '../redis/redis.factory.js';
import { InjectRedis } from '../redis/redis.tokens.js';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.js';
import { CacheVersions, type TagVersions } from './cache-versions.js';
import type { ReadCount } from './read-counts.js';
import { IoredisKeyvStore } from './ioredis-keyv-store.js';

/** What to cache a response under, and which writes make it stale. */
export interface CacheSpec {
  key: string;
  tags: readonly string[];
  ttlSeconds: number;
  /** Every found answer served, hit or not, is counted as this read (see ReadCounts). */
  counted?: ReadCount;
}

export type CacheResult = 'hit' | 'miss' | 'bypass';

/** Redis must answer a cache read within this, or the request goes to the database. */
export const CACHE_TIMEOUT_MS = 150;
const MISSING_TTL_SECONDS = 30;
const LOCAL_ENTRIES = 10_000;

/** Spreads expiries by ±10% so entries cached together do not all expire together. */
export const jitter = (seconds: number): number =>
  Math.round(seconds * 1000 * (0.9 + Math.random() * 0.2));

/** The longest an entry with this lifetime lives, jitter included, in milliseconds. */
export const longestLifetimeMs = (seconds: number): number => Math.ceil(seconds * 1100);

/**
 * Response cache: cache-manager over two tiers (an in-process LRU, then Redis), with keys that
 * embed the versions of their tags (see CacheVersions). Because a key changes whenever its data
 * may have, neither tier can serve anything stale, and the in-process tier needs no invalidation
 * messages. cache-manager's wrap() makes concurrent misses on one key load once.
 *
 * With read replicas, a load may read a replica, which can be behind the primary by up to
 * replicaStalenessBoundMs. An entry is stored under the versions current when it is loaded, so a
 * load right after an invalidation would store the replica's pre-write rows under the post-write
 * version, for a whole TTL. So a load whose versions were written more recently than that bound
 * reads the primary (and so does a load that bypasses the cache: no version tells how recent the
 * last write was, and CONTRACT §5 wants a write visible on the very next read either way).
 */
@Injectable()
export class ResponseCache implements OnModuleDestroy {
  private readonly versions: CacheVersions;
  private readonly cache: Cache;
  private readonly prefix: string;
  private readonly replicaBoundMs: number;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    @InjectConfig() config: AppConfig,
  ) {
    this.prefix = `${config.redis.prefix}:cache`;
    this.replicaBoundMs = replicaStalenessBoundMs(config.readReplicas.maxLagSeconds);
    this.versions = new CacheVersions(
      redis,
      config.redis.prefix,
      CACHE_TIMEOUT_MS,
      longestLifetimeMs(Math.max(config.cache.ttl, config.cache.listTtl, config.sessionCache.ttl)) *
        3,
    );
    const local = createKeyv({ lruSize: LOCAL_ENTRIES, useClone: false });
    const shared = new Keyv({
      store: new IoredisKeyvStore(redis, CACHE_TIMEOUT_MS),
      useKeyPrefix: false,
    });
    for (const tier of [local, shared]) tier.on('error', () => undefined);
    this.cache = createCache({ stores: [local, shared] });
  }

  /** Answers from the cache, or loads once and stores; with Redis unusable, just loads. */
  async fetch(
    spec: CacheSpec,
    load: () => Promise<CachedAnswer>,
  ): Promise<{ result: CacheResult; answer: CachedAnswer }> {
    const current = await this.currentVersion(spec);
    if (current === null) return { result: 'bypass', answer: await readsFromPrimary(load) };
    const recent = current.writtenMsAgo !== null && current.writtenMsAgo < this.replicaBoundMs;
    // Coalesced callers share one load; only the caller whose loader ran saw a miss.
    const call: { loaded: CachedAnswer | undefined } = { loaded: undefined };
    const entry = await this.cache.wrap(
      `${this.prefix}:e:${spec.key}@${current.version}`,
      async () => {
        call.loaded = await (recent ? readsFromPrimary(load) : load());
        return encodeAnswer(call.loaded);
      },
      {
        ttl: (stored: string) =>
          jitter(
            decodeAnswer(stored).found
              ? spec.ttlSeconds
              : Math.min(MISSING_TTL_SECONDS, spec.ttlSeconds),
          ),
      },
    );
    return call.loaded
      ? { result: 'miss', answer: call.loaded }
      : { result: 'hit', answer: decodeAnswer(entry) };
  }

  /**
   * The cached answer if there is one, without loading: undefined on a miss, 'bypass' when
   * the cache cannot be used right now.
   */
  async peek(spec: CacheSpec): Promise<CachedAnswer | undefined | 'bypass'> {
    const current = await this.currentVersion(spec);
    if (current === null) return 'bypass';
    try {
      const entry = await this.cache.get<string>(`${this.prefix}:e:${spec.key}@${current.version}`);
      return entry === undefined ? undefined : decodeAnswer(entry);
    } catch {
      return undefined;
    }
  }

  /** Makes every entry under these tags unreadable; call after the write has committed. */
  invalidate(tags: readonly string[]): Promise<void> {
    return this.versions.invalidate(tags);
  }

  private async currentVersion(spec: CacheSpec): Promise<TagVersions | null> {
    if (this.redis.status !== 'ready' || !this.versions.trustworthy) return null;
    try {
      return await this.versions.read(spec.tags, longestLifetimeMs(spec.ttlSeconds));
    } catch {
      return null;
    }
  }

  onModuleDestroy(): void {
    this.versions.close();
  }
}
