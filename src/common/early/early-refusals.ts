import { Injectable, type CanActivate, type PipeTransform, type Type } from '@nestjs/common';
import { GUARDS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GLOBAL_GUARDS } from '../guards/global-guards.js';
import { discoverMarkedRoutes, frontKey, type MarkedRoute } from '../http/front-routes.js';
import { createValidationPipe } from '../pipes/validation.js';
import {
  earlyRefuserOf,
  type EarlyRefuser,
  type GuardedRequest,
} from './refuses-early.decorator.js';

interface EarlyRoute {
  readonly route: MarkedRoute<Type<EarlyRefuser>>;
  readonly refuser: EarlyRefuser;
  /** The route's guards in the order Nest runs them: the global ones, the class's, the method's. */
  readonly guards: readonly CanActivate[];
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

/** The guards @UseGuards gave a class or method. */
const ownGuardsOf = (target: object): unknown[] =>
  (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];

/**
 * Early refusals: a handler in front of each @RefusesEarly route's own, on the same Express
 * route (see JsonExpressAdapter.putInFront). It runs what Nest runs before the handler, with
 * the same instances and in the same order (the route's guards: the global ones, then the
 * controller's and the method's; then the global validation pipe on the body), and then asks
 * the route's refuser. A refusal is answered at once, through Express's error handling (Nest's
 * exception filter); anything else goes on to the route, whose guards read what was already
 * counted and checked for the request instead of doing it again. Whatever the front cannot
 * tell, the route decides, so the front changes no answer, only what a refusal costs: no
 * interceptors, controller, observable or serialisation for the requests refused.
 */
@Injectable()
export class EarlyRefusals {
  private readonly validation: PipeTransform = createValidationPipe();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * The front handler of each @RefusesEarly route, by frontKey. Call once the app's providers
   * exist (before its routes are mounted): the guards are looked up then.
   */
  handlers(): ReadonlyMap<string, RequestHandler> {
    return new Map(
      this.routes().map((early) => [
        frontKey(early.route.method, early.route.path),
        this.handlerFor(early),
      ]),
    );
  }

  private routes(): EarlyRoute[] {
    const { moduleRef } = this;
    // The global guards are this module's own instances (other modules may hold instances of
    // the same classes as route guards); a route's are wherever its module made them.
    const global = GLOBAL_GUARDS.map((guard) => moduleRef.get(guard));
    const instance = (guard: unknown): CanActivate =>
      typeof guard === 'function'
        ? moduleRef.get(guard, { strict: false })
        : (guard as CanActivate);
    return discoverMarkedRoutes(this.discovery, this.scanner, earlyRefuserOf).map((route) => ({
      route,
      refuser: moduleRef.get(route.mark, { strict: false }),
      guards: [
        ...global,
        ...[...ownGuardsOf(route.controller), ...ownGuardsOf(route.handler)].map(instance),
      ],
      bodyType: bodyTypeOf(route.controller, route.name),
    }));
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
    for (const guard of early.guards) {
      // A guard that says no without throwing: the route answers its 403.
      if (!(await guard.canActivate(context))) return null;
    }
    // A body failing validation: the route's pipe answers its 400.
    const body = await this.validBody(early, req.body);
    if (body === invalid) return null;
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
