import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS, type ApiOperationOptions } from '@nestjs/swagger';

export const IS_PUBLIC = 'auth:public';

/**
 * Writes `security: []` (anonymous callers allowed) into the OpenAPI document. On a method it
 * joins the operation's own metadata, whichever side of @ApiOperation it is written on (the
 * explorer drops an empty method-level security list); on a controller it is the controller's
 * security list, which every operation of the controller inherits.
 */
const ApiAnonymous =
  (): MethodDecorator & ClassDecorator =>
  <T>(target: object, _key?: string | symbol, descriptor?: TypedPropertyDescriptor<T>) => {
    const method = descriptor?.value;
    if (typeof method === 'function') {
      const operation = Reflect.getMetadata(DECORATORS.API_OPERATION, method) as
        ApiOperationOptions | undefined;
      const open: ApiOperationOptions = { ...operation, security: [] };
      Reflect.defineMetadata(DECORATORS.API_OPERATION, open, method);
      return;
    }
    Reflect.defineMetadata(DECORATORS.API_SECURITY, [], target);
  };

/**
 * Opens a route to anonymous callers; every other route needs a valid access token. Like @Auth(),
 * it writes the same fact into the OpenAPI document, so docs and behaviour cannot drift apart.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiAnonymous());
