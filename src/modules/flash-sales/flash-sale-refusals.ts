import { Injectable } from '@nestjs/common';
import type { EarlyRefuser, GuardedRequest } from '../../common/early/refuses-early.decorator.js';
import { parseId } from '../../common/validation/id.js';
import { IDEMPOTENCY_HEADER } from '../orders/index.js';
import type { PurchaseFlashSaleDto } from './dto/purchase-flash-sale.dto.js';
import { FlashSalePurchases } from './flash-sale-purchases.js';

/**
 * The early answer to a purchase the gate refuses (see FlashSalePurchases.refusalNow): a crowd
 * of losers is refused in front of the route, for one look at the gate each. A purchase with an
 * Idempotency-Key goes on to the route, which may answer it with its earlier order.
 */
@Injectable()
export class FlashSaleRefusals implements EarlyRefuser<PurchaseFlashSaleDto> {
  constructor(private readonly purchases: FlashSalePurchases) {}

  async refusal(req: GuardedRequest, body: PurchaseFlashSaleDto): Promise<Error | null> {
    const saleId = parseId(String(req.params.id));
    if (saleId === undefined || req.headers[IDEMPOTENCY_HEADER.toLowerCase()] !== undefined) {
      return null;
    }
    return this.purchases.refusalNow(req.user, saleId, body.quantity);
  }
}
