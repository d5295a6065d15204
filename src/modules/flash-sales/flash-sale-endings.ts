import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { FlashSalesService } from './flash-sales.service.js';

/**
 * Every FLASH_SALE_SWEEP_INTERVAL seconds, where the queue processors run: gives the unsold units
 * of sales that ended by time back to their products' stock, and rebuilds the gates that stay
 * short of PostgreSQL (FlashSalesService.healShortGates). Each sale is settled once (a
 * conditional update on its row), so several workers sweeping at once are harmless.
 */
@Injectable()
export class FlashSaleEndings implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FlashSaleEndings.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private shortfalls = new Map<number, string>();

  constructor(
    private readonly sales: FlashSalesService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.flashSales.sweepInterval * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep; one still going when the next is due is not doubled. */
  sweep(): Promise<void> {
    this.running ??= this.sales
      .settleDue()
      .then(() => this.sales.healShortGates(this.shortfalls))
      .then(
        (shortfalls) => {
          this.shortfalls = shortfalls;
        },
        (error: unknown) => {
          this.logger.warn(`flash sale sweep failed: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
