import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ApiEnvelope,
  ApiErrors,
  ApiNoContent,
} from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { ReadsOwnWrites } from '../../common/interceptors/read-your-writes.interceptor.js';
import { CurrentUser, type AuthUser } from '../../common/decorators/current-user.decorator.js';
import { RefusesEarly } from '../../common/early/refuses-early.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { PerUserRateLimit } from '../../common/decorators/rate-limit.decorator.js';
import { PageQueryDto, type Page } from '../../common/dto/page.js';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe.js';
import {
  IDEMPOTENCY_HEADER,
  IdempotencyKey,
  OrderResponseDto,
  REPLAYED_HEADER,
} from '../orders/index.js';
import { CreateFlashSaleDto } from './dto/create-flash-sale.dto.js';
import { FlashSaleResponseDto } from './dto/flash-sale-response.dto.js';
import { PurchaseFlashSaleDto } from './dto/purchase-flash-sale.dto.js';
import { FlashSaleRefusals } from './flash-sale-refusals.js';
import { FlashSalePurchases } from './flash-sale-purchases.js';
import { FlashSalesService } from './flash-sales.service.js';

@ApiTags('flash-sales')
@Controller('api/flash-sales')
export class FlashSalesController {
  constructor(
    private readonly sales: FlashSalesService,
    private readonly purchases: FlashSalePurchases,
  ) {}

  @Post()
  @Auth('admin')
  @ApiOperation({
    summary: 'Create a flash sale',
    description:
      "The quantity is taken from the product's stock at once (409 when the stock is short); " +
      'ends_at must be after starts_at and in the future (400).',
  })
  @ApiEnvelope(FlashSaleResponseDto, { status: 201 })
  @ApiErrors(400, 404, 409)
  create(@Body() dto: CreateFlashSaleDto): Promise<FlashSaleResponseDto> {
    return this.sales.create(dto);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Scheduled and active flash sales, soonest first' })
  @ApiEnvelope(FlashSaleResponseDto, { paged: true })
  @ApiErrors(400)
  list(@Query() query: PageQueryDto): Promise<Page<FlashSaleResponseDto>> {
    return this.sales.list(query);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One flash sale; remaining is live' })
  @ApiEnvelope(FlashSaleResponseDto)
  @ApiErrors(400, 404)
  get(@Param('id', ParseIdPipe) id: number): Promise<FlashSaleResponseDto> {
    return this.sales.get(id);
  }

  @Delete(':id')
  @Auth('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: "End a flash sale now; its unsold units go back to the product's stock",
  })
  @ApiNoContent()
  @ApiErrors(400, 404)
  end(@Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.sales.end(id);
  }

  @Post(':id/orders')
  @Auth()
  @PerUserRateLimit()
  @RefusesEarly(FlashSaleRefusals)
  @ReadsOwnWrites()
  @ApiOperation({
    summary: 'Buy in a flash sale: an ordinary order at the sale price',
    description:
      "409 when sold out, when the caller's units in this sale would pass per_user_limit, or " +
      'outside the sale window; 503 while the sale gate (Redis) is unavailable. Each customer ' +
      'may try FLASH_SALE_RATE_LIMIT times per FLASH_SALE_RATE_WINDOW seconds (429). With an ' +
      'Idempotency-Key, repeating the request answers the first order again.',
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
  @ApiErrors(400, 404, 409, 422, 429, 503)
  async purchase(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: PurchaseFlashSaleDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrderResponseDto> {
    const { order, replayed } = await this.purchases.purchase(user, id, dto.quantity, key);
    if (replayed) res.setHeader(REPLAYED_HEADER, 'true');
    return order;
  }
}
