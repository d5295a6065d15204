import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { conflict, DomainError, forbidden, notFound } from '../../common/errors/domain-error.js';
import { Database, type Tx } from '../../infra/database/database.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { ProductsCache } from '../products/index.js';
import { ProductsRepository } from '../products/index.js';
import { UsersService } from '../users/index.js';
import { OrderResponseDto } from './dto/order-response.dto.js';
import { sendsMail, transitionEvents } from './order-events.js';
import { HOLDING_STATUS, unitsOf } from './order-placement.js';
import { OrderPlacementRepository } from './order-placement.repository.js';
import {
  cancelReason,
  ORDER_STATE_MACHINE,
  permission,
  type Actor,
  type OrderTransition,
} from './order-state-machine.js';
import { OrderHooks } from './order-hooks.js';
import { CANCEL_REASONS } from './order.entity.js';
import { OrdersRepository, type OrderItemRow, type OrderRow } from './orders.repository.js';

const PAST_TENSE: Record<OrderTransition, string> = {
  pay: 'paid',
  confirm_payment: 'paid',
  ship: 'shipped',
  complete: 'completed',
  cancel: 'cancelled',
  expire: 'cancelled for non-payment',
};

/** A transition that changed an order, inside a transaction not yet committed. */
export interface AppliedTransition {
  transition: OrderTransition;
  order: OrderRow;
  items: OrderItemRow[];
}

/** Work done in the transition's own transaction once the order changed (a payment's row). */
export type Alongside = (tx: Tx, order: OrderRow) => Promise<void>;

/** What happens to an order after it was placed: the state machine's transitions, applied. */
@Injectable()
export class OrderTransitionsService {
  constructor(
    private readonly database: Database,
    private readonly orders: OrdersRepository,
    private readonly placements: OrderPlacementRepository,
    private readonly products: ProductsRepository,
    private readonly productsCache: ProductsCache,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    private readonly hooks: OrderHooks,
    @InjectMetric(METRIC.ordersCancelled) private readonly cancelled: Counter<'reason'>,
  ) {
    for (const reason of CANCEL_REASONS) cancelled.inc({ reason }, 0);
  }

  /**
   * Applies one transition of the state machine against the status this request saw. The
   * conditional UPDATE decides races: of a pay and a cancel arriving together exactly one
   * succeeds and the other is 409, and only the winner's effects (sales added, stock given
   * back, the customer's pending counters lowered) happen, once. `alongside` runs in the same
   * transaction after the order changed (the fake provider's instant pay records its payment).
   */
  async transition(
    actor: Actor,
    id: number,
    transition: OrderTransition,
    alongside?: Alongside,
  ): Promise<OrderResponseDto> {
    const rule = ORDER_STATE_MACHINE[transition];
    const current = await this.orders.findById(this.database.pool, id);
    if (!current) throw notFound('Order');
    const allowed = permission(transition, actor, current.user_id);
    if (allowed === 'hidden') throw notFound('Order');
    if (allowed === 'forbidden')
      throw forbidden(`You may not mark this order ${PAST_TENSE[transition]}`);
    if (!rule.from.includes(current.status)) {
      throw conflict(`Order is ${current.status} and cannot be ${PAST_TENSE[transition]}`);
    }
    // Looked up before the transaction, which then needs no second connection.
    const ownerEmail = sendsMail(transition) ? await this.emailOf(actor, current) : undefined;

    const applied = await this.database.transaction(async (tx) => {
      const done = await this.applyWithin(tx, actor, current, transition, ownerEmail);
      if (!done) {
        const now = (await this.orders.findById(tx, id)) ?? current;
        const reason =
          now.status !== current.status
            ? `is now ${now.status}`
            : `is ${rule.deadline === 'after' ? 'not ' : ''}past its payment deadline`;
        throw conflict(`Order ${reason} and cannot be ${PAST_TENSE[transition]}`);
      }
      if (alongside) await alongside(tx, done.order);
      return done;
    });
    await this.afterCommit(applied);
    return OrderResponseDto.from(applied.order, applied.items);
  }

  /**
   * The transition inside the caller's transaction, against the order as the caller read it
   * (`current`): one conditional UPDATE, then its effects, its events and the hooks' events.
   * Null when the order no longer has the status read (another transition won): nothing
   * changed. The caller commits, then calls afterCommit.
   */
  async applyWithin(
    tx: Tx,
    actor: Actor,
    current: OrderRow,
    transition: OrderTransition,
    ownerEmail: string | undefined,
  ): Promise<AppliedTransition | null> {
    const rule = ORDER_STATE_MACHINE[transition];
    if (permission(transition, actor, current.user_id) !== 'allowed') {
      throw forbidden(`You may not mark this order ${PAST_TENSE[transition]}`);
    }
    if (!rule.from.includes(current.status)) return null;
    const updated = await this.orders.transition(tx, current.id, {
      from: current.status,
      to: rule.to,
      cancelReason: cancelReason(transition, actor, current.user_id),
      deadline: rule.deadline,
    });
    if (!updated) return null;
    const lines = (await this.orders.itemsOf(tx, [current.id])).get(current.id) ?? [];
    if (rule.effect === 'add_sales') await this.products.addSales(tx, lines);
    if (rule.effect === 'restore_stock') {
      await this.products.restoreStock(tx, lines, updated.paid_at !== null);
    }
    if (current.status === HOLDING_STATUS) {
      await this.placements.releaseHold(tx, updated.user_id, unitsOf(lines));
    }
    await this.outbox.record(tx, [
      ...transitionEvents(transition, updated, lines, ownerEmail),
      ...(await this.hooks.transitioned(tx, transition, updated)),
    ]);
    return { transition, order: updated, items: lines };
  }

  /** What follows a committed transition: its events relayed, counted, the cache invalidated. */
  async afterCommit({ transition, order, items }: AppliedTransition): Promise<void> {
    const rule = ORDER_STATE_MACHINE[transition];
    this.outbox.flush();
    if (order.cancel_reason && rule.to === 'cancelled')
      this.cancelled.inc({ reason: order.cancel_reason });
    if (rule.effect !== 'none') {
      await this.productsCache.invalidate(items.map((item) => item.product_id));
    }
  }

  /** An order as stored, for modules that act on orders through this service (payments). */
  find(id: number): Promise<OrderRow | null> {
    return this.orders.findById(this.database.pool, id);
  }

  /** The address of an order's owner, for the mails about it. */
  async ownerEmail(order: Pick<OrderRow, 'user_id'>): Promise<string> {
    return (await this.users.getById(order.user_id)).email;
  }

  /**
   * The payment timeout for one order: cancels it if it is still pending past its deadline.
   * Anything else (paid, cancelled, already expired) is left alone and is not an error.
   */
  async expire(
    id: number,
  ): Promise<'cancelled' | 'left alone' | 'not yet due' | 'paid meanwhile' | 'undecided'> {
    const order = await this.orders.findById(this.database.pool, id);
    if (order?.status !== 'pending') return 'left alone';
    if (order.expires_at.getTime() > Date.now()) return 'not yet due';
    // A payment pending at a provider is looked up first: its success pays the order instead.
    const verdict = await this.hooks.beforeExpiry(order);
    if (verdict === 'paid') return 'paid meanwhile';
    if (verdict === 'undecided') return 'undecided';
    try {
      await this.transition({ kind: 'system' }, id, 'expire');
      return 'cancelled';
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.kind === 'conflict' || error.kind === 'not_found')
      ) {
        return 'left alone';
      }
      throw error;
    }
  }

  /** Ids of pending orders past their deadline, oldest deadline first. */
  overdue(limit: number): Promise<number[]> {
    return this.orders.overdueIds(this.database.pool, limit);
  }

  /** The address of an order's owner: the caller's own, or looked up. */
  private async emailOf(actor: Actor, order: OrderRow): Promise<string> {
    if (actor.kind === 'user' && actor.id === order.user_id) return actor.email;
    return this.ownerEmail(order);
  }
}
