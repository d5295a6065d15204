import { Injectable, type PipeTransform, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { JwtAuthGuard } from '../guards/jwt-auth.guard.js';
import { RateLimitGuard } from '../guards/rate-limit.guard.js';
import { RolesGuard } from '../guards/roles.guard.js';
import { discoverMarkedRoutes, frontKey, type MarkedRoute } from '../http/front-routes.js';
import { refusedBodyOf } from '../http/json-body.middleware.js';
import { createValidationPipe } from '../pipes/validation.js';
import {
  earlyRefuserOf,
  type EarlyRefuser,
  type GuardedRequest,
} from './refuses-early.decorator.js';

interface EarlyRoute {
  readonly route: MarkedRoute<Type<EarlyRefuser>>;
  readonly refuser: EarlyRefuser;
  /** The class of the handler's @Body() parameter, if it has one. */
  readonly bodyType: Type | undefined;
}

/** The class of a handler's @Body() parameter, as its parameter decorators recorded it. */
function bodyTypeOf(controller: Type, name: string): Type | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const body = Object.entries(args).find(
    ([key, arg]) => key.startsWith(`${RouteParamtypes.BODY}:`) && arg.data === undefined,
  )?.[1];
  if (body === undefined) return undefined;
  const prototype = controller.prototype as object;
  const types = Reflect.getMetadata('design:paramtypes', prototype, name) as Type[] | undefined;
  return types?.[body.index];
}

/**
 * Early refusals: a handler in front of each @RefusesEarly route's own, on the same Express
 * route (see JsonExpressAdapter.putInFront). It runs what Nest runs before the handler, with
 * the same code and in the same order (the rate limit, the body's refusal, the access token and
 * the caller's session, roles, then the global validation pipe on the body), and then asks the
 * route's refuser. A refusal is answered at once, through Express's error handling (Nest's
 * exception filter); anything else goes on to the route, whose guards read what was already
 * counted and checked for the request instead of doing it again. Whatever the front cannot
 * tell, the route decides, so the front changes no answer, only what a refusal costs: no
 * interceptors, controller, observable or serialisation for the requests refused.
 */
@Injectable()
export class EarlyRefusals {
  private readonly routes: readonly EarlyRoute[];
  private readonly validation: PipeTransform = createValidationPipe();

  constructor(
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    moduleRef: ModuleRef,
    private readonly rateLimit: RateLimitGuard,
    private readonly auth: JwtAuthGuard,
    private readonly roles: RolesGuard,
  ) {
    this.routes = discoverMarkedRoutes(discovery, scanner, earlyRefuserOf).map((route) => ({
      route,
      refuser: moduleRef.get(route.mark, { strict: false }),
      bodyType: bodyTypeOf(route.controller, route.name),
    }));
  }

  /** The front handler of each @RefusesEarly route, by frontKey. */
  handlers(): ReadonlyMap<string, RequestHandler> {
    return new Map(
      this.routes.map((early) => [
        frontKey(early.route.method, early.route.path),
        this.handlerFor(early),
      ]),
    );
  }

  private handlerFor(early: EarlyRoute): RequestHandler {
    return (req: Request, res: Response, next: NextFunction): void => {
      this.refusal(early, req, res).then((refusal) => {
        next(refusal ?? undefined);
      }, next);
    };
  }

  /** The route's refusal of the request when the refuser can tell it; throws what a guard throws. */
  private async refusal(early: EarlyRoute, req: Request, res: Response): Promise<Error | null> {
    const { controller, handler } = early.route;
    const context = new ExecutionContextHost([req, res], controller, handler as () => void);
    // A refused body is answered by the route's guards; a body failing validation by its pipe
    // (validating first changes nothing: validation writes nothing and the route revalidates).
    if (refusedBodyOf(req)) return null;
    const body = await this.validBody(early, req.body);
    if (body === invalid) return null;
    // The rate limit and the session are looked up together (one Redis round trip), and the
    // limit's refusal comes first, as in the guards' order.
    const [limited, authenticated] = await Promise.allSettled([
      this.rateLimit.enforce(req, res, controller, handler),
      this.auth.canActivate(context),
    ]);
    if (limited.status === 'rejected') throw limited.reason;
    if (authenticated.status === 'rejected') throw authenticated.reason;
    this.roles.canActivate(context);
    return early.refuser.refusal(req as GuardedRequest, body);
  }

  private async validBody(early: EarlyRoute, body: unknown): Promise<unknown> {
    if (early.bodyType === undefined) return undefined;
    try {
      return await this.validation.transform(body, { type: 'body', metatype: early.bodyType });
    } catch {
      return invalid;
    }
  }
}

/** A body the route's validation refuses: the route answers its 400. */
const invalid = Symbol('invalid body');
