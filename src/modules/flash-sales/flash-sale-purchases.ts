import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import type { Tx } from '../../infra/database/database.js';
import { violatedCheck } from '../../infra/database/pg-errors.js';
import {
  keyStillRunning,
  OrdersService,
  type CreatedOrder,
  type PlacementTerms,
} from '../orders/index.js';
import { FLASH_SALE_HOLDING_CHECK, FLASH_SALE_REMAINING_CHECK } from './flash-sale.entity.js';
import { FlashSaleGate } from './flash-sale-gate.js';
import { FLASH_SALE_METRIC } from './flash-sale-metrics.js';
import {
  ATTEMPT_RESULTS,
  mayBeReplay,
  refusalError,
  type GateTerms,
  type Refusal,
} from './flash-sale-rules.js';
import { FlashSalesRepository } from './flash-sales.repository.js';
import { FlashSalesService } from './flash-sales.service.js';

/** Rebuilds of the gate one attempt may wait for before it gives up (503). */
const REBUILD_ATTEMPTS = 3;

/** Thrown inside the order's transaction when PostgreSQL refuses what the gate allowed. */
class RefusedByDatabase extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal);
  }
}

const DATABASE_REFUSALS = new Map<string, Refusal>([
  [FLASH_SALE_REMAINING_CHECK, 'sold_out'],
  [FLASH_SALE_HOLDING_CHECK, 'limited'],
]);

/**
 * The order's errors name its lines ("items.0.product_id"), which a purchase's body has not: a
 * line's quantity is the purchase's, and its product (gone from sale since the sale began) is
 * the sale's, named by the message alone.
 */
function asPurchaseError(error: unknown): unknown {
  if (!(error instanceof DomainError) || error.errors === null) return error;
  const quantity = error.errors['items.0.quantity'];
  return new DomainError(
    error.kind,
    error.message,
    quantity === undefined ? null : { quantity },
    error.retryAfterSeconds,
  );
}

const unavailable = (): DomainError =>
  new DomainError('unavailable', 'Flash sales are unavailable right now; please retry');

/**
 * A purchase in a flash sale: the gate in Redis decides first, so a refusal costs one Redis
 * round trip and no PostgreSQL transaction; a winner's order is an ordinary order placed by
 * the orders module at the sale's price, with the sale's own counters (PostgreSQL's, CHECKed)
 * written in its transaction. Whatever makes that write fail gives the reservation back.
 */
@Injectable()
export class FlashSalePurchases {
  constructor(
    private readonly gate: FlashSaleGate,
    private readonly sales: FlashSalesService,
    private readonly repository: FlashSalesRepository,
    private readonly orders: OrdersService,
    @InjectMetric(FLASH_SALE_METRIC.attempts) private readonly attempts: Counter<'result'>,
  ) {
    for (const result of ATTEMPT_RESULTS) attempts.inc({ result }, 0);
  }

  async purchase(
    caller: AuthUser,
    saleId: number,
    quantity: number,
    key: string | undefined,
  ): Promise<CreatedOrder> {
    const request = { flash_sale_id: saleId, quantity };
    // Names this attempt's reservation, so that it is given back once, or kept once.
    const token = randomUUID();
    // Copies of a keyed request sent together: while one is being written, the others reserve
    // nothing (the gate answers 'busy'), as the order's own key claim would refuse them anyway.
    const name = key === undefined ? '' : `${caller.id}:${key}`;
    const { kind, ...terms } = await this.decide(saleId, caller.id, quantity, token, name);
    if (kind !== 'won') {
      // A repeat of an earlier purchase is answered as that (its order, or a 422), not counted.
      if (mayBeReplay(terms, key)) {
        const earlier = await this.orders.earlierOrder(caller, key, request);
        if (earlier) return earlier;
      }
      throw this.refused(kind, terms);
    }
    const release = () => this.gate.release(saleId, token, name).catch(() => undefined);
    let outcome: CreatedOrder;
    try {
      outcome = await this.orders.createWith(
        caller,
        { items: [{ product_id: terms.productId, quantity }] },
        key,
        this.placementTerms(saleId, caller.id, quantity, terms, request),
      );
    } catch (error) {
      await release();
      throw asPurchaseError(await this.refusedByDatabase(saleId, error));
    }
    if (outcome.replayed) {
      await release();
    } else {
      // A confirmation Redis does not take leaves the reservation listed, never given back.
      await this.gate.confirm(saleId, token, name).catch(() => undefined);
      this.attempts.inc({ result: 'won' });
    }
    return outcome;
  }

  /**
   * The gate's refusal of this attempt as things stand, asked without reserving anything: the
   * early answer of FlashSaleRefusals. Null when the gate would not refuse it, or cannot tell
   * (its counters need a rebuild, the sale is unknown, Redis does not answer): purchase() then
   * decides. An attempt with an Idempotency-Key is not asked about here, as a refusal may
   * hide its earlier order (mayBeReplay).
   */
  async refusalNow(
    caller: AuthUser,
    saleId: number,
    quantity: number,
  ): Promise<DomainError | null> {
    let verdict;
    try {
      verdict = await this.gate.peek(saleId, caller.id, quantity);
    } catch {
      return null;
    }
    if (verdict.kind !== 'sold_out' && verdict.kind !== 'limited' && verdict.kind !== 'inactive') {
      return null;
    }
    return this.refused(verdict.kind, verdict);
  }

  /** A refusal by the gate, counted. */
  private refused(kind: Refusal, terms: GateTerms): DomainError {
    this.attempts.inc({ result: kind });
    return refusalError(kind, terms.limit);
  }

  /**
   * The gate's verdict, its counters rebuilt from PostgreSQL first when they are missing; a
   * copy of a request (`name`) still being written is the Idempotency-Key's 409.
   */
  private async decide(
    saleId: number,
    userId: number,
    quantity: number,
    token: string,
    name: string,
  ): Promise<{ kind: 'won' | Refusal } & GateTerms> {
    for (let rebuilds = 0; rebuilds <= REBUILD_ATTEMPTS; rebuilds++) {
      let verdict;
      try {
        verdict = await this.gate.attempt(saleId, userId, quantity, token, name);
      } catch {
        // No answer (a timeout, Redis gone): the script may still have run and reserved. The
        // release follows it on the same connection, so it undoes what it reserved, if anything.
        await this.gate.release(saleId, token, name).catch(() => undefined);
        throw unavailable();
      }
      if (verdict.kind === 'missing') throw notFound('Flash sale');
      if (verdict.kind === 'busy') throw keyStillRunning();
      if (verdict.kind !== 'rebuild') return verdict;
      await this.unlessRedisIsDown(() => this.sales.rebuildGate(saleId));
    }
    throw unavailable();
  }

  /** The sale's side of the order's transaction (see FlashSalesRepository.take and link). */
  private placementTerms(
    saleId: number,
    userId: number,
    units: number,
    sale: GateTerms,
    request: unknown,
  ): PlacementTerms {
    return {
      prices: new Map([[sale.productId, sale.price]]),
      request,
      before: async (tx: Tx) => {
        let taken: 'taken' | 'inactive';
        try {
          taken = await this.repository.take(tx, saleId, userId, units);
        } catch (error) {
          const refusal = DATABASE_REFUSALS.get(violatedCheck(error) ?? '');
          throw refusal ? new RefusedByDatabase(refusal) : error;
        }
        if (taken === 'inactive') throw new RefusedByDatabase('inactive');
      },
      after: (tx: Tx, order) => this.repository.link(tx, order.id, saleId, units),
    };
  }

  /**
   * PostgreSQL refused what the gate let through: the gate was wrong (Redis lost writes, or
   * was rebuilt while orders were in flight), so it is rebuilt from PostgreSQL on its next use.
   */
  private async refusedByDatabase(saleId: number, error: unknown): Promise<unknown> {
    if (!(error instanceof RefusedByDatabase)) return error;
    this.attempts.inc({ result: error.refusal });
    await this.sales.forgetGate(saleId);
    return refusalError(error.refusal);
  }

  private async unlessRedisIsDown<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw unavailable();
    }
  }
}
