import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { offsetOf, toPage, type Page } from '../../common/dto/page.js';
import {
  conflict,
  DomainError,
  forbidden,
  notFound,
  unprocessable,
} from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { TransactionRunner, type Tx } from '../../infra/database/transaction-runner.js';
import type { MailTemplate, OrderSummary } from '../../infra/mail/templates.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { METRIC } from '../../infra/metrics/metric-names.js';
import { currentJobMeta } from '../../infra/queue/job-context.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { ProductsCache } from '../products/products.cache.js';
import { ProductsRepository } from '../products/products.repository.js';
import { UsersService } from '../users/users.service.js';
import type { CreateOrderDto } from './dto/create-order.dto.js';
import type { OrderListQueryDto } from './dto/order-query.dto.js';
import { OrderResponseDto, type OrderItemRow, type OrderRow } from './dto/order-response.dto.js';
import { fingerprint, IDEMPOTENCY_TTL_SECONDS } from './idempotency.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { priceOrder } from './order-placement.js';
import {
  cancelReason,
  ORDER_STATE_MACHINE,
  permission,
  type Actor,
  type OrderTransition,
} from './order-state-machine.js';
import { CANCEL_REASONS } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';
import { placeOrder } from './order-placement.query.js';

export interface CreatedOrder {
  order: OrderResponseDto;
  /** True when an Idempotency-Key matched an earlier request and nothing was created now. */
  replayed: boolean;
}

const summary = (order: OrderResponseDto): OrderSummary => ({
  id: order.id,
  total_amount: order.total_amount,
  items: order.items.map(({ product_name, quantity, subtotal }) => ({
    product_name,
    quantity,
    subtotal,
  })),
  expires_at: order.expires_at,
});

const PAST_TENSE: Record<OrderTransition, string> = {
  pay: 'paid',
  ship: 'shipped',
  complete: 'completed',
  cancel: 'cancelled',
  expire: 'cancelled for non-payment',
};

@Injectable()
export class OrdersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly products: ProductsRepository,
    private readonly productsCache: ProductsCache,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    @InjectConfig() private readonly config: AppConfig,
    @InjectMetric(METRIC.ordersCreated) private readonly created: Counter,
    @InjectMetric(METRIC.ordersCancelled) private readonly cancelled: Counter<'reason'>,
  ) {
    for (const reason of CANCEL_REASONS) cancelled.inc({ reason }, 0);
  }

  /**
   * Places an order in one transaction: products locked in id order, stock taken, name and
   * price snapshotted. With an Idempotency-Key the key is claimed first (409 while another
   * request holds it) and stored with the response in the same transaction, so a replay
   * answers the first order and a failure leaves neither order nor key behind.
   */
  async create(caller: AuthUser, dto: CreateOrderDto, key?: string): Promise<CreatedOrder> {
    const outcome =
      key === undefined
        ? // One statement needs no transaction around it.
          { order: await this.place(this.transactions.manager, caller, dto), replayed: false }
        : await this.createOnce(caller, dto, key);
    if (!outcome.replayed) {
      this.created.inc();
      this.outbox.flush();
      await this.productsCache.invalidate(dto.items.map((item) => item.product_id));
    }
    return outcome;
  }

  /**
   * With an Idempotency-Key: the key is claimed first (409 while another request holds it),
   * and stored with the response in the same transaction as the order, so a replay answers
   * the first order and a failure leaves neither order nor key behind.
   */
  private createOnce(caller: AuthUser, dto: CreateOrderDto, key: string): Promise<CreatedOrder> {
    const requestHash = fingerprint(dto);
    return this.transactions.run(async (tx): Promise<CreatedOrder> => {
      const earlier = await this.earlierResponse(tx, caller.id, key, requestHash);
      if (earlier) return { order: earlier, replayed: true };
      const order = await this.place(tx, caller, dto);
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
    });
  }

  async get(caller: AuthUser, id: number): Promise<OrderResponseDto> {
    const order = await this.orders.findById(id);
    if (!order || (order.user_id !== caller.id && caller.role !== 'admin')) throw notFound('Order');
    const items = await this.orders.itemsOf([id]);
    return OrderResponseDto.from(order, items.get(id) ?? []);
  }

  async list(caller: AuthUser, query: OrderListQueryDto): Promise<Page<OrderResponseDto>> {
    if (query.user_id !== undefined && caller.role !== 'admin') {
      throw forbidden("Only administrators may list another user's orders");
    }
    const userId = query.user_id ?? caller.id;
    const { rows, total } = await this.orders.listForUser(
      userId,
      query.status,
      query.page_size,
      offsetOf(query),
    );
    const items = await this.orders.itemsOf(rows.map((order) => order.id));
    return toPage(
      rows.map((order) => OrderResponseDto.from(order, items.get(order.id) ?? [])),
      total,
      query,
    );
  }

  /**
   * Applies one transition of the state machine against the status this request saw. The
   * conditional UPDATE decides races: of a pay and a cancel arriving together exactly one
   * succeeds and the other is 409, and only the winner's effects (sales added, stock given
   * back) happen, once.
   */
  async transition(
    actor: Actor,
    id: number,
    transition: OrderTransition,
  ): Promise<OrderResponseDto> {
    const rule = ORDER_STATE_MACHINE[transition];
    const { order, items } = await this.transactions.run(async (tx) => {
      const current = await this.orders.findById(id, tx);
      if (!current) throw notFound('Order');
      const allowed = permission(transition, actor, current.user_id);
      if (allowed === 'hidden') throw notFound('Order');
      if (allowed === 'forbidden')
        throw forbidden(`You may not mark this order ${PAST_TENSE[transition]}`);
      if (!rule.from.includes(current.status)) {
        throw conflict(`Order is ${current.status} and cannot be ${PAST_TENSE[transition]}`);
      }

      const updated = await this.orders.transition(tx, id, {
        from: current.status,
        to: rule.to,
        cancelReason: cancelReason(transition, actor, current.user_id),
        afterDeadline: rule.afterDeadline === true,
      });
      if (!updated) {
        const now = (await this.orders.findById(id, tx)) ?? current;
        const reason =
          now.status === current.status
            ? 'is not past its payment deadline'
            : `is now ${now.status}`;
        throw conflict(`Order ${reason} and cannot be ${PAST_TENSE[transition]}`);
      }
      const lines = (await this.orders.itemsOf([id], tx)).get(id) ?? [];
      if (rule.effect === 'add_sales') await this.products.addSales(tx, lines);
      if (rule.effect === 'restore_stock') {
        await this.products.restoreStock(tx, lines, updated.paid_at !== null);
      }
      const ownerEmail =
        actor.kind === 'user' && actor.id === current.user_id ? actor.email : undefined;
      await this.outbox.record(
        tx,
        await this.transitionMails(tx, transition, updated, lines, ownerEmail),
      );
      return { order: updated, items: lines };
    });
    this.outbox.flush();
    if (order.cancel_reason && rule.to === 'cancelled')
      this.cancelled.inc({ reason: order.cancel_reason });
    if (rule.effect !== 'none') {
      await this.productsCache.invalidate(items.map((item) => item.product_id));
    }
    return OrderResponseDto.from(order, items);
  }

  /**
   * The payment timeout for one order: cancels it if it is still pending past its deadline.
   * Anything else (paid, cancelled, already expired) is left alone and is not an error.
   */
  async expire(id: number): Promise<'cancelled' | 'left alone' | 'not yet due'> {
    const order = await this.orders.findById(id);
    if (order?.status !== 'pending') return 'left alone';
    if (order.expires_at.getTime() > Date.now()) return 'not yet due';
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
    return this.orders.overdueIds(limit);
  }

  /** The receipt after a payment, the notice after a cancellation; nothing otherwise. */
  private async transitionMails(
    tx: Tx,
    transition: OrderTransition,
    order: OrderRow,
    lines: OrderItemRow[],
    ownerEmail: string | undefined,
  ): Promise<OutboxEvent[]> {
    const dto = OrderResponseDto.from(order, lines);
    if (transition === 'pay') {
      const receipt = { name: 'payment_receipt', order: summary(dto) } as const;
      return [await this.mail(tx, dto, receipt, 'receipt', ownerEmail)];
    }
    if (order.status === 'cancelled' && order.cancel_reason) {
      const notice = {
        name: 'order_cancelled',
        order: summary(dto),
        reason: order.cancel_reason,
      } as const;
      return [await this.mail(tx, dto, notice, 'cancelled', ownerEmail)];
    }
    return [];
  }

  /** A mail to the order's owner; their address is looked up unless the caller is the owner. */
  private async mail(
    tx: Tx,
    order: OrderResponseDto,
    template: MailTemplate,
    what: string,
    ownerEmail?: string,
  ): Promise<OutboxEvent> {
    const to = ownerEmail ?? (await this.users.getById(order.user_id)).email;
    return { kind: 'mail', job: { key: `order-${what}-${order.id}`, to, template } };
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
      throw unprocessable('This Idempotency-Key was already used with a different request body');
    }
    return stored.response_body as OrderResponseDto;
  }

  /**
   * Places the order in one statement (see placeOrder): stock, order, items and the outbox rows
   * for its confirmation mail and payment deadline. A refusal is explained by priceOrder from
   * the products as the statement locked them; priceOrder also prices the response's lines,
   * exactly as the statement priced the stored ones.
   */
  private async place(tx: Tx, caller: AuthUser, dto: CreateOrderDto): Promise<OrderResponseDto> {
    const lines = dto.items.map((item) => ({
      product_id: item.product_id,
      quantity: item.quantity,
    }));
    const { products, order } = await placeOrder(tx, {
      userId: caller.id,
      lines,
      paymentTimeoutSeconds: this.config.orders.paymentTimeout,
      mailTo: caller.email,
      jobMeta: currentJobMeta(),
    });
    const { items } = priceOrder(lines, new Map(products.map((product) => [product.id, product])));
    if (!order) throw conflict('Not enough stock');
    const row: OrderRow = {
      ...order,
      user_id: caller.id,
      status: 'pending',
      updated_at: order.created_at,
      paid_at: null,
      cancelled_at: null,
      cancel_reason: null,
    };
    return OrderResponseDto.from(
      row,
      items.map((item) => ({ ...item, order_id: order.id })),
    );
  }
}
