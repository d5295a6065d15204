import { AsyncResource } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { listStart, toKeysetPage, type ListPage } from '../../common/dto/page.js';
import { DomainError, notFound, unprocessable } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database, type Db, type Tx } from '../../infra/database/database.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { ProductsCache } from '../products/index.js';
import type { CreateOrderDto } from './dto/create-order.dto.js';
import type { OrderListQueryDto } from './dto/order-query.dto.js';
import { OrderResponseDto } from './dto/order-response.dto.js';
import { fingerprint, IDEMPOTENCY_TTL_SECONDS, keyStillRunning } from './idempotency.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { decideBatch } from './order-batch.js';
import { Batcher, type Settled } from './order-batcher.js';
import { placedEvents } from './order-events.js';
import { orderListFilter } from './order-list-filter.js';
import { placementKeptChanging, type PlacementPolicy } from './order-placement.js';
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
 * How many times a batch of orders is decided again when its write finds the facts changed
 * (stock taken, a price changed) since they were read. Each retry reads what changed, so a
 * second attempt nearly always either succeeds or refuses the orders that are now short.
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

/** Thrown when a batch's write was refused, out of its transaction if any: decide it again. */
class PlacementRefused extends Error {}

/** One POST /api/orders waiting for its batch. */
interface PlacementRequest {
  caller: AuthUser;
  dto: CreateOrderDto;
  key: string | undefined;
  /** Stamps the request's events in its own context (request id, trace), whatever batch runs it. */
  stamp: (events: readonly OutboxEvent[]) => OutboxEvent[];
  /** Another module's terms: only ever alone in its batch, inside a transaction. */
  terms?: PlacementTerms;
}

/** What an Idempotency-Key's fingerprint is taken of: the request as the caller sent it. */
const requestHash = (request: PlacementRequest): string =>
  fingerprint(request.terms ? request.terms.request : request.dto);

const termsTx = (tx: Tx | null): Tx => {
  if (!tx) throw new Error('a placement with terms runs inside a transaction');
  return tx;
};

/** Placing orders and reading them; what happens to them next is OrderTransitionsService. */
@Injectable()
export class OrdersService {
  private readonly policy: PlacementPolicy;
  private readonly batcher: Batcher<PlacementRequest, CreatedOrder>;

  constructor(
    private readonly database: Database,
    private readonly orders: OrdersRepository,
    private readonly placements: OrderPlacementRepository,
    private readonly productsCache: ProductsCache,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly outbox: Outbox,
    @InjectConfig() config: AppConfig,
    @InjectMetric(METRIC.ordersCreated) private readonly created: Counter,
    @InjectMetric(METRIC.orderBatchSize) private readonly batchSize: Histogram,
  ) {
    this.policy = {
      paymentTimeoutSeconds: config.orders.paymentTimeout,
      maxPendingOrders: config.orderCaps.pendingOrders,
      maxPendingUnits: config.orderCaps.pendingUnits,
    };
    this.batcher = new Batcher(config.orderBatch, (requests) => this.placeBatch(requests));
  }

  /**
   * Places an order. Orders arriving together are placed together (group commit, see Batcher
   * and placeBatch): each gets its own order, or its own refusal, as if it had been alone.
   */
  create(caller: AuthUser, dto: CreateOrderDto, key?: string): Promise<CreatedOrder> {
    const stamp = AsyncResource.bind((events: readonly OutboxEvent[]) => this.outbox.stamp(events));
    return this.batcher.submit({ caller, dto, key, stamp });
  }

  /**
   * An order placed with another module's terms (see PlacementTerms), alone in a transaction of
   * its own (a term that throws rolls back this order only): the Idempotency-Key claimed first
   * (a replay runs none of the terms), then `before`, the order decided at the terms' prices and
   * written as every order is, then `after`.
   */
  async createWith(
    caller: AuthUser,
    dto: CreateOrderDto,
    key: string | undefined,
    terms: PlacementTerms,
  ): Promise<CreatedOrder> {
    const stamp = (events: readonly OutboxEvent[]) => this.outbox.stamp(events);
    const [settled] = await this.placeBatch([{ caller, dto, key, stamp, terms }]);
    if (!settled) throw new Error('the placement settled nothing');
    if (!settled.ok) throw settled.error;
    return settled.value;
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
   * A batch of orders (one, when they do not arrive together). Without Idempotency-Keys the
   * placement is two statements on the pool (see placeAll); with any, the same placement runs
   * inside the transaction that claims the keys and stores the responses. When the write finds
   * that what the orders were decided on changed, nothing was written and the whole batch is
   * decided again from a fresh read.
   */
  private async placeBatch(requests: PlacementRequest[]): Promise<Settled<CreatedOrder>[]> {
    this.batchSize.observe(requests.length);
    const inTransaction = requests.some(({ key, terms }) => key !== undefined || terms);
    const settled = await this.untilPlaced(() =>
      inTransaction
        ? this.database.transaction((tx) => this.placeAll(tx, tx, requests))
        : this.placeAll(this.database.pool, null, requests),
    );
    const placed = requests.filter((_, i) => {
      const result = settled[i];
      return result?.ok === true && !result.value.replayed;
    });
    if (placed.length > 0) {
      this.created.inc(placed.length);
      this.outbox.flush();
      await this.productsCache.invalidate([
        ...new Set(placed.flatMap(({ dto }) => dto.items.map((item) => item.product_id))),
      ]);
    }
    return settled;
  }

  /**
   * One attempt at a batch: the keys claimed (a replay or a refusal answers its request at
   * once), then the facts read (the next order ids, the products, the customers' pending
   * counters), the orders decided in TypeScript in arrival order, and the winners written with
   * their events in one statement that refuses them all if the facts changed in between.
   */
  private async placeAll(
    db: Db,
    tx: Tx | null,
    requests: readonly PlacementRequest[],
  ): Promise<Settled<CreatedOrder>[]> {
    const results: (Settled<CreatedOrder> | undefined)[] = tx
      ? await this.claimKeys(tx, requests)
      : requests.map(() => undefined);
    const open = requests.flatMap((request, i) => (results[i] ? [] : [{ request, i }]));
    for (const { request } of open) await request.terms?.before(termsTx(tx));
    const lines = open.map(({ request }) =>
      request.dto.items.map(({ product_id, quantity }) => ({ product_id, quantity })),
    );
    const facts = await this.placements.batchFacts(
      db,
      open.length,
      [...new Set(open.map(({ request }) => request.caller.id))],
      [...new Set(lines.flat().map((line) => line.product_id))],
    );
    const decided = decideBatch(
      open.map(({ request }, j) => ({
        userId: request.caller.id,
        lines: lines[j] ?? [],
        prices: request.terms?.prices,
      })),
      facts,
      this.policy,
      new Date(),
    );
    const winners = open.flatMap(({ request, i }, j) => {
      const decision = decided[j];
      if (decision?.ok) return [{ request, i, order: decision.value }];
      results[i] = decision;
      return [];
    });
    const placed = await this.placements.placeAll(
      db,
      winners.map(({ order }) => order),
      winners.flatMap(({ request, order }) =>
        request.stamp(placedEvents(order, request.caller.email)),
      ),
    );
    if (!placed) throw new PlacementRefused();
    for (const [j, { request, i }] of winners.entries()) {
      const row = placed[j] as NonNullable<(typeof placed)[number]>;
      const order = OrderResponseDto.from(row.order, row.items);
      await request.terms?.after(termsTx(tx), order);
      if (tx && request.key !== undefined) await this.storeResponse(tx, request, order);
      results[i] = { ok: true, value: { order, replayed: false } };
    }
    return results.map((result) => result ?? { ok: false, error: new Error('order not settled') });
  }

  /**
   * The Idempotency-Keys of a batch claimed first (409 while another request holds one, or
   * when the batch itself holds the same key twice): a request whose key answered already is
   * settled (a replay, a 409, a 422); the others are placed, and their keys stored with their
   * responses in the same transaction, so a failure leaves neither order nor key behind.
   */
  private async claimKeys(
    tx: Tx,
    requests: readonly PlacementRequest[],
  ): Promise<(Settled<CreatedOrder> | undefined)[]> {
    const claimed = new Set<string>();
    const results: (Settled<CreatedOrder> | undefined)[] = [];
    for (const request of requests) {
      const { caller, key } = request;
      if (key === undefined) {
        results.push(undefined);
        continue;
      }
      try {
        const scoped = JSON.stringify([caller.id, key]);
        // A second copy in this batch: the key is this transaction's already.
        const claim = claimed.has(scoped)
          ? false
          : await this.idempotencyKeys.tryClaim(tx, caller.id, key);
        claimed.add(scoped);
        const earlier = await this.earlierResponse(tx, caller.id, key, requestHash(request), claim);
        results.push(earlier ? { ok: true, value: { order: earlier, replayed: true } } : undefined);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  private storeResponse(tx: Tx, request: PlacementRequest, order: OrderResponseDto) {
    return this.idempotencyKeys.insert(tx, {
      userId: request.caller.id,
      key: request.key as string,
      requestHash: requestHash(request),
      orderId: order.id,
      responseStatus: 201,
      responseBody: order,
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    });
  }

  /** Runs a batch again (a fresh read, fresh decisions) while its write is refused. */
  private async untilPlaced<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; tries <= PLACEMENT_ATTEMPTS; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof PlacementRefused)) throw error;
      }
    }
    throw placementKeptChanging();
  }

  /**
   * The response a key already answered (a replay), or null when this request is to be placed.
   * A key held by another request (`claimed` false) whose response is stored is only being
   * replayed by its holder, and is replayed here too; one with no response yet is the first
   * request still running (409).
   */
  private async earlierResponse(
    tx: Tx,
    userId: number,
    key: string,
    requestHash: string,
    claimed: boolean,
  ): Promise<OrderResponseDto | null> {
    const stored = await this.idempotencyKeys.find(tx, userId, key);
    if (!claimed && (!stored || stored.expired)) throw keyStillRunning();
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
