import { Injectable, Logger } from '@nestjs/common';
import { offsetOf, toPage, type Page, type PageQueryDto } from '../../common/dto/page.js';
import {
  conflict,
  DomainError,
  notFound,
  validationFailed,
} from '../../common/errors/domain-error.js';
import { fromCents, toCents } from '../../common/money.js';
import { Database } from '../../infra/database/database.js';
import { violatedCheck } from '../../infra/database/pg-errors.js';
import { PRODUCT_STOCK_CHECK, ProductsCache } from '../products/index.js';
import type { CreateFlashSaleDto } from './dto/create-flash-sale.dto.js';
import { FlashSaleResponseDto } from './dto/flash-sale-response.dto.js';
import { FlashSaleGate, type GateSale } from './flash-sale-gate.js';
import { FlashSalesRepository } from './flash-sales.repository.js';

/** Sales settled per sweep at most; the next sweep takes the rest. */
const SETTLE_BATCH = 100;

/** Flash sales as an admin runs them and anyone reads them; purchases are FlashSalePurchases. */
@Injectable()
export class FlashSalesService {
  private readonly logger = new Logger(FlashSalesService.name);

  constructor(
    private readonly database: Database,
    private readonly sales: FlashSalesRepository,
    private readonly gate: FlashSaleGate,
    private readonly productsCache: ProductsCache,
  ) {}

  /** The sale, with its units taken from the product's stock in the same statement. */
  async create(dto: CreateFlashSaleDto): Promise<FlashSaleResponseDto> {
    const startsAt = new Date(dto.starts_at);
    const endsAt = new Date(dto.ends_at);
    if (endsAt.getTime() <= startsAt.getTime()) {
      throw validationFailed({ ends_at: 'ends_at must be after starts_at' });
    }
    if (endsAt.getTime() <= Date.now()) {
      throw validationFailed({ ends_at: 'ends_at must be in the future' });
    }
    let sale;
    try {
      sale = await this.sales.create(this.database.pool, {
        product_id: dto.product_id,
        price: fromCents(toCents(String(dto.price))),
        quantity: dto.quantity,
        per_user_limit: dto.per_user_limit ?? 1,
        starts_at: startsAt,
        ends_at: endsAt,
      });
    } catch (error) {
      if (violatedCheck(error) === PRODUCT_STOCK_CHECK) {
        throw conflict('Not enough stock for this sale', {
          quantity: `the product has fewer than ${dto.quantity} units in stock`,
        });
      }
      throw error;
    }
    if (!sale) throw notFound('Product');
    await this.productsCache.invalidate([sale.product_id]);
    // A read of this id before it existed may have left a short-lived "missing" behind.
    await this.forgetGate(sale.id);
    return FlashSaleResponseDto.from(sale);
  }

  /**
   * From the primary, like every flash-sale read: CONTRACT §9 does not count sales among the
   * reads that may be a moment behind, and a replica's list showed an ended sale as active.
   */
  async list(query: PageQueryDto): Promise<Page<FlashSaleResponseDto>> {
    const { rows, total } = await this.sales.listOpen(
      this.database.pool,
      query.page_size,
      offsetOf(query),
    );
    const now = new Date();
    return toPage(
      rows.map((row) => FlashSaleResponseDto.from(row, now)),
      total,
      query,
    );
  }

  /** From the gate (remaining live, no PostgreSQL), rebuilt first if needed; PostgreSQL without Redis. */
  async get(id: number): Promise<FlashSaleResponseDto> {
    let sale: GateSale | 'missing' | null;
    try {
      sale = await this.gate.read(id);
      if (sale === null) {
        await this.rebuildGate(id);
        sale = await this.gate.read(id);
      }
    } catch (error) {
      if (error instanceof DomainError) throw error;
      this.logger.warn(`flash sale ${id} read from PostgreSQL: ${(error as Error).message}`);
      sale = null;
    }
    sale ??= (await this.sales.find(this.database.pool, id)) ?? 'missing';
    if (sale === 'missing') throw notFound('Flash sale');
    return FlashSaleResponseDto.from(sale);
  }

  /** Ends the sale now; its unsold units go back to the product's stock (once). */
  async end(id: number): Promise<void> {
    const sale = await this.database.transaction((tx) => this.sales.settle(tx, id, true));
    if (!sale) throw notFound('Flash sale');
    await this.afterSettled(sale.id, sale.product_id);
  }

  /** Settles the sales that ended by time (their unsold units back to stock); for the sweep. */
  async settleDue(): Promise<number> {
    const due = await this.sales.dueForSettlement(this.database.pool, SETTLE_BATCH);
    for (const id of due) {
      const sale = await this.database.transaction((tx) => this.sales.settle(tx, id, false));
      if (sale) await this.afterSettled(sale.id, sale.product_id);
    }
    return due.length;
  }

  /**
   * Rebuilds the gate of a selling sale that has stayed short of PostgreSQL's remaining units by
   * the same count since the last look (`seen`): units given back while Redis could not take
   * them. A shortfall of orders in flight changes from one look to the next; a lost give-back
   * does not. Answers the shortfalls seen now, for the next look.
   */
  async healShortGates(seen: ReadonlyMap<number, string>): Promise<Map<number, string>> {
    const now = new Map<number, string>();
    for (const { id, remaining } of await this.sales.selling(this.database.pool)) {
      // Without Redis there is nothing to heal now.
      const gate = await this.gate.read(id).catch(() => null);
      if (gate === null || gate === 'missing' || gate.remaining >= remaining) continue;
      const shortfall = `${gate.remaining}/${remaining}`;
      if (seen.get(id) === shortfall) {
        this.logger.warn(`flash sale ${id}: gate short of PostgreSQL (${shortfall}), rebuilt`);
        await this.gate.forget(id);
      } else {
        now.set(id, shortfall);
      }
    }
    return now;
  }

  /** The gate's counters from PostgreSQL's ledger, once among concurrent callers. */
  rebuildGate(id: number): Promise<void> {
    return this.gate.rebuild(id, () => this.sales.ledger(this.database.pool, id));
  }

  private async afterSettled(saleId: number, productId: number): Promise<void> {
    await this.productsCache.invalidate([productId]);
    await this.forgetGate(saleId);
  }

  /**
   * The gate rebuilds from PostgreSQL on its next use. Without Redis it stays as it was, and
   * PostgreSQL refuses what it lets through (a purchase that finds the sale ended resets it).
   */
  async forgetGate(saleId: number): Promise<void> {
    await this.gate.forget(saleId).catch((error: unknown) => {
      this.logger.warn(`flash sale ${saleId} gate not reset: ${(error as Error).message}`);
    });
  }
}
