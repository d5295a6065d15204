/** The orders module's public surface. */
export { OrdersHttpModule } from './orders-http.module.js';
export { OrdersWorkerModule } from './orders-worker.module.js';
// For the payments module, which pays and refunds orders through the state machine.
export { OrdersModule } from './orders.module.js';
export {
  OrderTransitionsService,
  type AppliedTransition,
  type Alongside,
} from './order-transitions.service.js';
export { OrderHooks, type ExpiryVerdict, type OrderHook } from './order-hooks.js';
export { permission, type Actor, type OrderTransition } from './order-state-machine.js';
export type { OrderRow } from './orders.repository.js';
export { OrderResponseDto } from './dto/order-response.dto.js';
// For the reviews module: whether a customer received a product (a completed order of it).
export { OrdersService } from './orders.service.js';
// For flash sales: an ordinary order at the sale's price, with the sale's writes alongside.
export type { CreatedOrder, PlacementTerms } from './orders.service.js';
export type { CreateOrderDto } from './dto/create-order.dto.js';
export {
  IdempotencyKey,
  keyStillRunning,
  REPLAYED_HEADER,
  IDEMPOTENCY_HEADER,
} from './idempotency.js';
