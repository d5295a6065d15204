import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { UserRole } from '../auth/roles.js';
import { ApiErrors } from './api-response.decorator.js';

export const ROLES = 'auth:roles';
export const BEARER = 'bearer';

/**
 * Marks a route as needing a signed-in caller, optionally with one of the given roles, and writes
 * the same fact into the OpenAPI document so docs and behaviour cannot drift apart: 401 without a
 * live token, 403 for a disabled account (on every such route) or a role the route does not take.
 */
export const Auth = (...roles: UserRole[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES, roles), ApiBearerAuth(BEARER), ApiErrors(401, 403));
