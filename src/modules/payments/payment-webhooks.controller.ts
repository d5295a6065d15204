import { Controller, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiEnvelope, ApiErrors } from '../../common/decorators/api-response.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { NoRateLimit } from '../../common/decorators/rate-limit.decorator.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { rawBodyOf } from '../../common/http/json-body.middleware.js';
import { successEnvelope } from '../../common/http/envelope.js';
import { WebhookReceiptDto } from './dto/payment-response.dto.js';
import { KNOWN_PROVIDERS } from './providers/adapters.js';
import { PaymentWebhooks } from './payment-webhooks.service.js';

/**
 * Provider notifications. Public (the signature is the authentication), never rate limited (a
 * provider's retries must get through), and the body arrives raw (RAW_BODY_ROUTES): the
 * provider verifies its signature over those bytes before anything in them is read.
 */
@ApiTags('payments')
@Controller('api/payments')
export class PaymentWebhooksController {
  constructor(private readonly webhooks: PaymentWebhooks) {}

  @Post('webhooks/:provider')
  @Public()
  @NoRateLimit()
  @ApiOperation({
    summary: "A payment provider's notification (called by the provider)",
    description:
      'Verified over the raw body with the provider’s signature scheme; processed once per provider event id. ' +
      'Answered in the provider’s own format. Stripe and fake: 200 with this envelope when accepted or repeated, 400 in the error format when not accepted. ' +
      'Alipay (a form POST): 200 text/plain `success`, or 400 `fail`. ' +
      'WeChat Pay: 204 with no body, or 400 `{"code": "FAIL", "message": ...}`.',
  })
  @ApiParam({ name: 'provider', enum: KNOWN_PROVIDERS })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({
    description: 'The notification exactly as the provider sends it',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiEnvelope(WebhookReceiptDto, { description: 'Accepted, or a repeat acknowledged' })
  @ApiErrors(400, 413)
  async receive(
    @Param('provider') provider: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { result, answer } = await this.webhooks.receive(provider, {
      rawBody: rawBodyOf(req),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? undefined : value,
        ]),
      ),
    });
    if (answer.format === 'raw') {
      res.status(answer.status).type(answer.contentType).send(answer.body);
      return;
    }
    if (answer.status >= 400 || result === 'rejected') {
      throw new DomainError('validation', 'Notification not accepted');
    }
    const receipt: WebhookReceiptDto = { received: true, result };
    res
      .status(HttpStatus.OK)
      .type('application/json')
      .send(successEnvelope(HttpStatus.OK, JSON.stringify(receipt)));
  }
}
