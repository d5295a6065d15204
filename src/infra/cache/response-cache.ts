import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createKeyv } from '@cacheable/memory';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { withTimeout } from '../../common/async/with-timeout.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database } from '../database/database.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { readsFromPrimary } from '../database/read-routing.js';
import { replicaStalenessBoundMs } from '../database/replica-lag.js';
import type { RedisClient } from '../redis/redis.factory.js';
import { InjectRedis } from '../redis/redis.tokens.js';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.js';
import { CacheVersions, type PeekedVersions, type TagVersions } from './cache-versions.js';
import type { ReadCount } from './read-counts.js';
import { IoredisKeyvStore } from './ioredis-keyv-store.js';

/** The write that lost an invalidation answers after at most this, recorded or not. */
const RECORD_LOSS_TIMEOUT_MS = 2000;

/**
 * An invalidation Redis did not take, recorded in PostgreSQL (the outbox's `cache_epoch`): the
 * relay, in whichever process runs it next, changes the cache's epoch once Redis answers. So a
 * restart of the process that missed it, or another replica, serves nothing it should have
 * invalidated. With PostgreSQL unreachable too, only this process's own retry remains.
 */
function recordLostInvalidation(
  database: Database,
  outbox: OutboxRepository,
  lostAt: number,
): Promise<void> {
  return withTimeout(
    outbox.addAlone(database.pool, { kind: 'cache_epoch', lost_at: lostAt }),
    RECORD_LOSS_TIMEOUT_MS,
  ).catch((error: unknown) => {
    new Logger('Cache').warn(
      `Lost invalidation not recorded (${(error as Error).message}); only this process will change the epoch`,
    );
  });
}

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
    database: Database,
    outbox: OutboxRepository,
  ) {
    this.prefix = `${config.redis.prefix}:cache`;
    this.replicaBoundMs = replicaStalenessBoundMs(config.readReplicas.maxLagSeconds);
    this.versions = new CacheVersions(
      redis,
      config.redis.prefix,
      CACHE_TIMEOUT_MS,
      longestLifetimeMs(Math.max(config.cache.ttl, config.cache.listTtl, config.sessionCache.ttl)) *
        3,
      (lostAt) => recordLostInvalidation(database, outbox, lostAt),
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
    // Coalesced callers share one load; only the caller whose loader ran saw a miss.
    const call: { loaded: CachedAnswer | undefined } = { loaded: undefined };
    const entry = await this.cache.wrap(
      this.entryKey(spec, current),
      async () => {
        call.loaded = await this.loadUnder(current, load);
        return encodeAnswer(call.loaded);
      },
      { ttl: (stored: string) => this.lifetimeMs(spec, decodeAnswer(stored)) },
    );
    return call.loaded
      ? { result: 'miss', answer: call.loaded }
      : { result: 'hit', answer: decodeAnswer(entry) };
  }

  /**
   * Like fetch, but writing nothing to Redis until the caller calls `keep` (null: nothing to
   * write): for an answer to keep only once the request that asked for it proved valid
   * (CONTRACT §5: a request that fails validation writes nothing). `keep` makes or extends the
   * tag versions, and stores a loaded answer only if they did not change meanwhile. Concurrent
   * misses each load.
   */
  async fetchUnkept(
    spec: CacheSpec,
    load: () => Promise<CachedAnswer>,
  ): Promise<{ answer: CachedAnswer; keep: (() => Promise<void>) | null }> {
    const current = await this.peekVersion(spec);
    if (current === null) return { answer: await readsFromPrimary(load), keep: null };
    const key = this.entryKey(spec, current);
    const { settle } = current;
    const stored = await this.cache.get<string>(key).catch(() => undefined);
    if (stored !== undefined) {
      return { answer: decodeAnswer(stored), keep: settle && (() => this.quietly(settle)) };
    }
    const loaded = await this.loadUnder(current, load);
    const keep = async (): Promise<void> => {
      if (settle !== null && !(await settle())) return;
      await this.cache.set(key, encodeAnswer(loaded), this.lifetimeMs(spec, loaded));
    };
    return { answer: loaded, keep: () => this.quietly(keep) };
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

  private entryKey(spec: CacheSpec, current: TagVersions): string {
    return `${this.prefix}:e:${spec.key}@${current.version}`;
  }

  /** Loads an entry for `current`: from the primary if its tags were written lately. */
  private loadUnder(
    current: TagVersions,
    load: () => Promise<CachedAnswer>,
  ): Promise<CachedAnswer> {
    const recent = current.writtenMsAgo !== null && current.writtenMsAgo < this.replicaBoundMs;
    return recent ? readsFromPrimary(load) : load();
  }

  private lifetimeMs(spec: CacheSpec, answer: CachedAnswer): number {
    return jitter(answer.found ? spec.ttlSeconds : Math.min(MISSING_TTL_SECONDS, spec.ttlSeconds));
  }

  /** A write the request does not wait on or fail for: not made, the next read loads again. */
  private async quietly(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch {
      // Redis did not take it; nothing depends on it.
    }
  }

  private currentVersion(spec: CacheSpec): Promise<TagVersions | null> {
    return this.whenUsable(() => this.versions.read(spec.tags, longestLifetimeMs(spec.ttlSeconds)));
  }

  private peekVersion(spec: CacheSpec): Promise<PeekedVersions | null> {
    return this.whenUsable(() => this.versions.peek(spec.tags, longestLifetimeMs(spec.ttlSeconds)));
  }

  /** The versions `read` answers, or null when the cache cannot be used right now. */
  private async whenUsable<T>(read: () => Promise<T>): Promise<T | null> {
    if (this.redis.status !== 'ready' || !this.versions.trustworthy) return null;
    try {
      return await read();
    } catch {
      return null;
    }
  }

  /**
   * Nothing cached before `lostAt` (unix ms: when an invalidation was lost) is read again,
   * by changing the epoch unless it has changed since (see CacheVersions.changeEpoch).
   */
  changeEpochAfterLoss(lostAt: number): Promise<void> {
    return this.versions.changeEpoch(lostAt);
  }

  onModuleDestroy(): void {
    this.versions.close();
  }
}
