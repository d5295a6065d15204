import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { ReadCounts } from '../../infra/cache/read-counts.js';
import { Database } from '../../infra/database/database.js';
import { ProductCountersRepository } from './product-counters.repository.js';
import { PRODUCT_VIEWS, ProductsCache } from './products.cache.js';

/** Products per UPDATE: a batch never holds many row locks at once. */
const CHUNK = 1000;

/**
 * Writes the product views counted in Redis (ReadCounts, group PRODUCT_VIEWS) back to
 * products.views every VIEWS_FLUSH_INTERVAL seconds, in the processes that run the workers.
 * Each run takes the counts and resets them in one Redis step, so flushes running at once (on
 * several replicas) never take the same views twice; counts it could not write are given back
 * for the next run. The products written back are invalidated in the cache (their detail and
 * the lists), so a cached read shows views at most about one interval behind (CONTRACT §8: "a
 * few seconds behind at most"): a product read all the time is loaded again once per interval.
 * What can be lost: the views Redis could not count while it was away, those of a process
 * killed between taking and writing (one interval's), and counts left untaken for ten minutes
 * (no flushing process at all).
 */
@Injectable()
export class ProductViewsFlush implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProductViewsFlush.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly counts: ReadCounts,
    private readonly counters: ProductCountersRepository,
    private readonly database: Database,
    private readonly cache: ProductsCache,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.flush(),
      this.config.views.flushIntervalSeconds * 1000,
    );
    this.timer.unref();
  }

  /** The last counts go to the database before Redis and the pool close. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** One write-back; a run still going when the next is due is waited for, not doubled. */
  flush(): Promise<void> {
    this.running ??= this.writeBack().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async writeBack(): Promise<void> {
    let taken: Map<number, number>;
    try {
      taken = await this.counts.take(PRODUCT_VIEWS);
    } catch {
      return; // Redis away: nothing was taken; the next run tries again.
    }
    const entries = [...taken];
    for (let start = 0; start < entries.length; start += CHUNK) {
      const chunk = entries.slice(start, start + CHUNK);
      try {
        await this.counters.addViews(
          this.database.pool,
          chunk.map(([id]) => id),
          chunk.map(([, n]) => n),
        );
      } catch (error) {
        await this.giveBack(new Map(entries.slice(start)), error);
        return;
      }
      // Written: cached answers show the new figures on their next read (an invalidation that
      // cannot reach Redis makes the cache bypass itself; it never fails this run).
      await this.cache.invalidate(chunk.map(([id]) => id));
    }
  }

  private async giveBack(unwritten: Map<number, number>, cause: unknown): Promise<void> {
    this.logger.warn(`Views not written back yet: ${(cause as Error).message}`);
    try {
      await this.counts.giveBack(PRODUCT_VIEWS, unwritten);
    } catch (error) {
      this.logger.error(
        `Views of ${unwritten.size} products lost: neither the database nor Redis took them (${(error as Error).message})`,
      );
    }
  }
}
