import { SessionEntity } from '../../modules/auth/session.entity.js';
import { UserTokenEntity } from '../../modules/auth/user-token.entity.js';
import { CustomerHoldEntity } from '../../modules/orders/customer-hold.entity.js';
import { IdempotencyKeyEntity } from '../../modules/orders/idempotency-key.entity.js';
import { OrderEntity, OrderItemEntity } from '../../modules/orders/order.entity.js';
import { PaymentEntity, PaymentEventEntity } from '../../modules/payments/payment.entity.js';
import { ProductEntity } from '../../modules/products/product.entity.js';
import { UserEntity } from '../../modules/users/user.entity.js';
import { MailDeliveryEntity } from '../mail/mail-delivery.entity.js';
import { OutboxEntity } from '../queue/outbox.entity.js';

/** Every mapped table; the schema itself comes only from migrations/. */
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
];
