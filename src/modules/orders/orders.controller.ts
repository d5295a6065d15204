import { Body, Controller, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiEnvelope, ApiErrors } from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { CurrentUser, type AuthUser } from '../../common/decorators/current-user.decorator.js';
import type { ListPage } from '../../common/dto/page.js';
import { ReadsOwnWrites } from '../../common/interceptors/read-your-writes.interceptor.js';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe.js';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { OrderListQueryDto } from './dto/order-query.dto.js';
import { OrderResponseDto } from './dto/order-response.dto.js';
import { IDEMPOTENCY_HEADER, IdempotencyKey, REPLAYED_HEADER } from './idempotency.js';
import type { Actor, OrderTransition } from './order-state-machine.js';
import { OrderTransitionsService } from './order-transitions.service.js';
import { OrdersService } from './orders.service.js';

const actorOf = (user: AuthUser): Actor => ({
  kind: 'user',
  id: user.id,
  role: user.role,
  email: user.email,
});

@ApiTags('orders')
@ReadsOwnWrites()
@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly transitions: OrderTransitionsService,
  ) {}

  @Post()
  @Auth()
  @ApiOperation({
    summary: 'Place an order',
    description:
      'All or nothing: a missing or inactive product is 404, short stock 409, and then nothing is written. ' +
      'With an Idempotency-Key, repeating the request answers the first order again (Idempotent-Replayed: true).',
  })
  @ApiHeader({
    name: IDEMPOTENCY_HEADER,
    required: false,
    description: '1-255 visible ASCII characters, per user, kept 24 hours',
  })
  @ApiEnvelope(OrderResponseDto, {
    status: 201,
    description: 'Created, or replayed for a repeated Idempotency-Key',
  })
  @ApiErrors(400, 404, 409, 422)
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateOrderDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrderResponseDto> {
    const { order, replayed } = await this.orders.create(user, dto, key);
    if (replayed) res.setHeader(REPLAYED_HEADER, 'true');
    return order;
  }

  @Get()
  @Auth()
  @ApiOperation({
    summary: "The caller's orders, newest first; for an admin every customer's",
    description:
      'Anyone may filter by status. Admins may also filter by user_id, created_from/created_to ' +
      '(UTC days, inclusive) and min_total/max_total (inclusive); a customer passing those is 403.',
  })
  @ApiEnvelope(OrderResponseDto, { paged: 'keyset' })
  @ApiErrors(400, 403)
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: OrderListQueryDto,
  ): Promise<ListPage<OrderResponseDto>> {
    return this.orders.list(user, query);
  }

  @Get(':id')
  @Auth()
  @ApiOperation({ summary: "One order: the caller's own, or any for an admin" })
  @ApiEnvelope(OrderResponseDto)
  @ApiErrors(400, 404)
  get(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<OrderResponseDto> {
    return this.orders.get(user, id);
  }

  @Put(':id/cancel')
  @Auth()
  @ApiOperation({
    summary: 'Cancel a pending or paid order (owner or admin); stock is given back once',
  })
  @ApiEnvelope(OrderResponseDto)
  @ApiErrors(400, 404, 409)
  cancel(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<OrderResponseDto> {
    return this.apply(user, id, 'cancel');
  }

  @Put(':id/ship')
  @Auth('admin')
  @ApiOperation({ summary: 'Ship a paid order' })
  @ApiEnvelope(OrderResponseDto)
  @ApiErrors(400, 404, 409)
  ship(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<OrderResponseDto> {
    return this.apply(user, id, 'ship');
  }

  @Put(':id/complete')
  @Auth('admin')
  @ApiOperation({ summary: 'Complete a shipped order' })
  @ApiEnvelope(OrderResponseDto)
  @ApiErrors(400, 404, 409)
  complete(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<OrderResponseDto> {
    return this.apply(user, id, 'complete');
  }

  private apply(
    user: AuthUser,
    id: number,
    transition: OrderTransition,
  ): Promise<OrderResponseDto> {
    return this.transitions.transition(actorOf(user), id, transition);
  }
}
