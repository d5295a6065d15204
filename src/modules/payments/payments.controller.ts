import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiEnvelope, ApiErrors } from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { CurrentUser, type AuthUser } from '../../common/decorators/current-user.decorator.js';
import { ReadsOwnWrites } from '../../common/interceptors/read-your-writes.interceptor.js';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe.js';
import { OrderResponseDto } from '../orders/index.js';
import { CreatePaymentDto } from './dto/create-payment.dto.js';
import { PaymentResponseDto } from './dto/payment-response.dto.js';
import { PaymentsService } from './payments.service.js';

@ApiTags('payments')
@ReadsOwnWrites()
@Controller('api/orders')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(':id/payments')
  @Auth()
  @ApiOperation({
    summary: 'Pay a pending order through a provider (owner only)',
    description:
      'The order must be pending and before its expires_at (409 otherwise); the provider must be enabled (400). ' +
      'While a payment of this order with this provider is pending, the call answers that payment again (200) and charges nothing more. ' +
      'client_action says what the client does next (Stripe: confirm with the client secret). 503 when the provider is unavailable.',
  })
  // One documented success (the document's rule): the repeat's 200 carries the same body.
  @ApiEnvelope(PaymentResponseDto, {
    status: 201,
    description:
      'Payment started; answered with 200 and the same body when a payment of this order with this provider was pending already',
  })
  @ApiErrors(400, 403, 404, 409, 503)
  async start(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreatePaymentDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentResponseDto> {
    const { payment, created } = await this.payments.start(user, id, dto.provider);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return payment;
  }

  @Get(':id/payments')
  @Auth()
  @ApiOperation({ summary: "An order's payments, newest first (its owner, or an admin)" })
  @ApiEnvelope(PaymentResponseDto, { isArray: true })
  @ApiErrors(400, 404)
  list(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<PaymentResponseDto[]> {
    return this.payments.list(user, id);
  }

  @Post(':id/pay')
  @Auth()
  @ApiTags('orders')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Pay a pending order at once through the fake provider (owner only)',
    description:
      'Payment without money, for development: 403 unless PAYMENT_PROVIDERS enables fake. ' +
      'The order must be pending and before its expires_at (409 otherwise). ' +
      'Real payments go through POST /api/orders/{id}/payments.',
  })
  @ApiEnvelope(OrderResponseDto)
  @ApiErrors(400, 403, 404, 409)
  pay(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<OrderResponseDto> {
    return this.payments.payInstantly(user, id);
  }
}
