import {
  FlashSaleEntity,
  FlashSaleHoldingEntity,
  FlashSaleOrderEntity,
} from './modules/flash-sales/flash-sale.entity.js';
import { SessionEntity } from './modules/auth/session.entity.js';
import { UserTokenEntity } from './modules/auth/user-token.entity.js';
import { CustomerHoldEntity } from './modules/orders/customer-hold.entity.js';
import { IdempotencyKeyEntity } from './modules/orders/idempotency-key.entity.js';
import { OrderEntity, OrderItemEntity } from './modules/orders/order.entity.js';
import { PaymentEntity, PaymentEventEntity } from './modules/payments/payment.entity.js';
import { ProductEntity } from './modules/products/product.entity.js';
import { ReviewEntity } from './modules/reviews/review.entity.js';
import { UserEntity } from './modules/users/user.entity.js';
import { MailDeliveryEntity } from './infra/mail/mail-delivery.entity.js';
import { OutboxEntity } from './infra/queue/outbox.entity.js';

/**
 * Every mapped table, for the schema-drift test and `migration:generate`; the schema itself comes
 * only from migrations/. The app queries with plain SQL and needs no entity at run time.
 */
export const ENTITIES = [
  UserEntity,
  SessionEntity,
  ProductEntity,
  OrderEntity,
  OrderItemEntity,
  IdempotencyKeyEntity,
  CustomerHoldEntity,
  OutboxEntity,
  MailDeliveryEntity,
  UserTokenEntity,
  PaymentEntity,
  PaymentEventEntity,
  ReviewEntity,
  FlashSaleEntity,
  FlashSaleHoldingEntity,
  FlashSaleOrderEntity,
];
