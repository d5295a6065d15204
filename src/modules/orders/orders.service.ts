import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { listStart, toKeysetPage, type ListPage } from '../../common/dto/page.js';
import { conflict, notFound, unprocessable } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database, type Db, type Tx } from '../../infra/database/database.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { ProductsCache } from '../products/index.js';
import type { CreateOrderDto } from './dto/create-order.dto.js';
import type { OrderListQueryDto } from './dto/order-query.dto.js';
import { OrderResponseDto } from './dto/order-response.dto.js';
import { fingerprint, IDEMPOTENCY_TTL_SECONDS } from './idempotency.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { placedEvents } from './order-events.js';
import { orderListFilter } from './order-list-filter.js';
import { decideOrder, placementKeptChanging, type PlacementPolicy } from './order-placement.js';
import { OrderPlacementRepository } from './order-placement.repository.js';
import { OrdersRepository } from './orders.repository.js';

/** Order lists have one order (newest first): their cursors are of this scope. */
const ORDER_LIST_SCOPE = 'orders';

export interface CreatedOrder {
  order: OrderResponseDto;
  /** True when an Idempotency-Key matched an earlier request and nothing was created now. */
  replayed: boolean;
}

/**
 * How many times an order is decided again when its write finds the facts changed (stock
 * taken, a price changed) since they were read. Each retry reads what changed, so a second
 * attempt nearly always either succeeds or is refused with the line that is now short.
 */
const PLACEMENT_ATTEMPTS = 5;

/**
 * What another module (flash sales) adds to a placement: its own prices, and its own writes in
 * the order's transaction, before the order is decided (so the facts read include them) and
 * after it is written. Anything they throw rolls the whole placement back.
 */
export interface PlacementTerms {
  /** The unit price of each product named, instead of its list price. */
  prices: ReadonlyMap<number, string>;
  /** What an Idempotency-Key's fingerprint is taken of (the request as the caller sent it). */
  request: unknown;
  before(tx: Tx): Promise<void>;
  after(tx: Tx, order: OrderResponseDto): Promise<void>;
}

const keyReused = () =>
  unprocessable('This Idempotency-Key was already used with a different request body');

/** Thrown out of a keyed placement's transaction to roll it back and decide again. */
class PlacementRefused extends Error {}

/** Placing orders and reading them; what happens to them next is OrderTransitionsService. */
@Injectable()
export class OrdersService {
  private readonly policy: PlacementPolicy;

  constructor(
    private readonly database: Database,
    private readonly orders: OrdersRepository,
    private readonly placements: OrderPlacementRepository,
    private readonly productsCache: ProductsCache,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly outbox: Outbox,
    @InjectConfig() config: AppConfig,
    @InjectMetric(METRIC.ordersCreated) private readonly created: Counter,
  ) {
    this.policy = {
      paymentTimeoutSeconds: config.orders.paymentTimeout,
      maxPendingOrders: config.orderCaps.pendingOrders,
      maxPendingUnits: config.orderCaps.pendingUnits,
    };
  }

  /**
   * Places an order. Without an Idempotency-Key the placement is two statements on the pool
   * (see place); with one, the same placement runs inside the transaction that claims the key
   * and stores the response. When the write finds that what the order was decided on changed,
   * nothing was written and the order is decided again from a fresh read.
   */
  async create(caller: AuthUser, dto: CreateOrderDto, key?: string): Promise<CreatedOrder> {
    const outcome = await this.untilPlaced(() =>
      key === undefined
        ? this.place(this.database.pool, caller, dto).then((order) => ({ order, replayed: false }))
        : this.database.transaction((tx) => this.placeOnce(tx, caller, dto, key)),
    );
    return this.placed(dto, outcome);
  }

  /**
   * The same placement inside one transaction with another module's terms (see PlacementTerms):
   * the Idempotency-Key claimed first (a replay runs none of the terms), then `before`, the
   * order decided and written, `after`.
   */
  async createWith(
    caller: AuthUser,
    dto: CreateOrderDto,
    key: string | undefined,
    terms: PlacementTerms,
  ): Promise<CreatedOrder> {
    const outcome = await this.untilPlaced(() =>
      this.database.transaction(async (tx) => {
        if (key !== undefined) return this.placeOnce(tx, caller, dto, key, terms);
        await terms.before(tx);
        const order = await this.place(tx, caller, dto, terms.prices);
        await terms.after(tx, order);
        return { order, replayed: false };
      }),
    );
    return this.placed(dto, outcome);
  }

  /**
   * The order an Idempotency-Key already answered for this request, read without claiming the
   * key: for a fast path that refuses without a placement (a sold-out flash sale) but must still
   * replay a first success. The same key with another request is 422, as on a placement.
   */
  async earlierOrder(
    caller: AuthUser,
    key: string,
    request: unknown,
  ): Promise<CreatedOrder | null> {
    const stored = await this.idempotencyKeys.find(this.database.pool, caller.id, key);
    if (!stored || stored.expired) return null;
    if (stored.request_hash !== fingerprint(request)) throw keyReused();
    return { order: stored.response_body as OrderResponseDto, replayed: true };
  }

  private async placed(dto: CreateOrderDto, outcome: CreatedOrder): Promise<CreatedOrder> {
    if (!outcome.replayed) {
      this.created.inc();
      this.outbox.flush();
      await this.productsCache.invalidate(dto.items.map((item) => item.product_id));
    }
    return outcome;
  }

  async get(caller: AuthUser, id: number): Promise<OrderResponseDto> {
    const db = this.database.replica;
    const order = await this.orders.findById(db, id);
    if (!order || (order.user_id !== caller.id && caller.role !== 'admin')) throw notFound('Order');
    const items = await this.orders.itemsOf(db, [id]);
    return OrderResponseDto.from(order, items.get(id) ?? []);
  }

  /**
   * Whether the customer received the product: it was in one of their orders that is completed
   * (a final status: an order never leaves it, so the answer cannot be taken back).
   */
  hasReceived(userId: number, productId: number): Promise<boolean> {
    return this.orders.hasOrderOf(this.database.pool, userId, productId, 'completed');
  }

  /** The caller's orders; for an admin every customer's, or those the admin filters name. */
  async list(caller: AuthUser, query: OrderListQueryDto): Promise<ListPage<OrderResponseDto>> {
    const filter = orderListFilter(caller, query);
    const db = this.database.replica;
    const start = listStart(query, ORDER_LIST_SCOPE);
    const { rows, total } = await this.orders.list(db, filter, query.page_size, start);
    const items = await this.orders.itemsOf(
      db,
      rows.slice(0, query.page_size).map((order) => order.id),
    );
    return toKeysetPage(
      rows,
      query,
      ORDER_LIST_SCOPE,
      (order) => ({ key: order.sort_key, id: order.id }),
      (order) => OrderResponseDto.from(order, items.get(order.id) ?? []),
      total,
    );
  }

  /**
   * One placement, on the pool or inside a transaction: the facts read (the next order id, the
   * products, the customer's pending counters), the order decided in TypeScript, then written
   * with its events in one statement that refuses it if the facts changed in between.
   */
  private async place(
    db: Db,
    caller: AuthUser,
    dto: CreateOrderDto,
    prices?: ReadonlyMap<number, string>,
  ): Promise<OrderResponseDto> {
    const lines = dto.items.map(({ product_id, quantity }) => ({ product_id, quantity }));
    const facts = await this.placements.facts(
      db,
      caller.id,
      lines.map((line) => line.product_id),
    );
    const order = decideOrder(caller.id, lines, facts, this.policy, new Date(), prices);
    const events = this.outbox.stamp(placedEvents(order, caller.email));
    const placed = await this.placements.place(db, order, events);
    if (!placed) throw new PlacementRefused();
    return OrderResponseDto.from(placed.order, placed.items);
  }

  /**
   * With an Idempotency-Key: the key is claimed first (409 while another request holds it),
   * and stored with the response in the same transaction as the order, so a replay answers
   * the first order and a failure leaves neither order nor key behind.
   */
  private async placeOnce(
    tx: Tx,
    caller: AuthUser,
    dto: CreateOrderDto,
    key: string,
    terms?: PlacementTerms,
  ): Promise<CreatedOrder> {
    const requestHash = fingerprint(terms ? terms.request : dto);
    const earlier = await this.earlierResponse(tx, caller.id, key, requestHash);
    if (earlier) return { order: earlier, replayed: true };
    await terms?.before(tx);
    const order = await this.place(tx, caller, dto, terms?.prices);
    await terms?.after(tx, order);
    await this.idempotencyKeys.insert(tx, {
      userId: caller.id,
      key,
      requestHash,
      orderId: order.id,
      responseStatus: 201,
      responseBody: order,
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    });
    return { order, replayed: false };
  }

  /** Runs a placement again (a fresh read, a fresh decision) while its write is refused. */
  private async untilPlaced(attempt: () => Promise<CreatedOrder>): Promise<CreatedOrder> {
    for (let tries = 1; tries <= PLACEMENT_ATTEMPTS; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof PlacementRefused)) throw error;
      }
    }
    throw placementKeptChanging();
  }

  private async earlierResponse(
    tx: Tx,
    userId: number,
    key: string,
    requestHash: string,
  ): Promise<OrderResponseDto | null> {
    if (!(await this.idempotencyKeys.tryClaim(tx, userId, key))) {
      throw conflict('A request with this Idempotency-Key is still being processed; retry later');
    }
    const stored = await this.idempotencyKeys.find(tx, userId, key);
    if (!stored) return null;
    if (stored.expired) {
      await this.idempotencyKeys.delete(tx, userId, key);
      return null;
    }
    if (stored.request_hash !== requestHash) {
      throw keyReused();
    }
    return stored.response_body as OrderResponseDto;
  }
}
