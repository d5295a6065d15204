import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';

const EVERY_MS = 3600_000;

/**
 * Deletes idempotency keys past their 24 hours, hourly. Lookups already ignore expired keys, so
 * this only keeps the table small; running it on several replicas at once is harmless.
 */
@Injectable()
export class IdempotencyCleanup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleanup.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly keys: IdempotencyKeysRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  async run(): Promise<number> {
    try {
      const removed = await this.keys.deleteExpired();
      if (removed > 0) this.logger.log(`Removed ${removed} expired idempotency keys`);
      return removed;
    } catch (error) {
      this.logger.warn(`Idempotency cleanup failed: ${(error as Error).message}`);
      return 0;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
