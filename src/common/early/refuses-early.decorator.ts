import { SetMetadata, type Type } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from '../decorators/current-user.decorator.js';

export const EARLY_REFUSER = 'early:refuser';

/** A request that passed the route's guards: its caller is known. */
export type GuardedRequest = Request & { user: AuthUser };

/**
 * Tells, before a route's handler, whether the route would refuse a request, when that is cheap
 * to know. `body` is the request's body as the route's validation makes it. Answers the error
 * the route would throw, or null when it cannot tell: the route then decides, as it always can.
 */
export interface EarlyRefuser<Body = unknown> {
  refusal(req: GuardedRequest, body: Body): Promise<Error | null>;
}

/**
 * Lets `refuser` (a provider) answer the route's refusals in front of it, once the route's
 * guards and validation have passed (see EarlyRefusals): for a route most of whose requests
 * are refused, such as a sold-out flash sale's purchases.
 */
export const RefusesEarly = (refuser: Type<EarlyRefuser>): MethodDecorator =>
  SetMetadata(EARLY_REFUSER, refuser);

/** The refuser a route handler was given by @RefusesEarly, if it was. */
export function earlyRefuserOf(handler: object): Type<EarlyRefuser> | undefined {
  const refuser: unknown = Reflect.getMetadata(EARLY_REFUSER, handler);
  return typeof refuser === 'function' ? (refuser as Type<EarlyRefuser>) : undefined;
}
