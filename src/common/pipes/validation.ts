import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import {
  fieldLabel,
  validationFailed,
  type DomainError,
  type FieldErrors,
} from '../errors/domain-error.js';
import { arrayLimitErrors } from '../validation/array-limits.js';
import { inputHazards } from '../validation/input-hazards.js';

/** Flattens nested errors into {"items.0.quantity": "..."}, one message per field. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const label = fieldLabel(path);
    const constraints = error.constraints ?? {};
    const message =
      'whitelistValidation' in constraints
        ? `${label} is not an accepted field`
        : Object.values(constraints)[0];
    if (message !== undefined) fields[label] ??= message;
    if (error.children?.length) Object.assign(fields, toFieldErrors(error.children, path));
  }
  return fields;
}

/**
 * Path parameters reach their own pipes (ParseIdPipe) as the raw strings the client sent; the
 * stock pipe would first turn "1e3" into 1000.
 */
class AppValidationPipe extends ValidationPipe {
  /**
   * Before any transformation or validation: NUL characters and prototype keys in query and
   * path parameters (bodies are checked as they are parsed, see JsonBodyMiddleware), and arrays
   * longer than the DTO's @ArrayMaxSize, which validation would otherwise walk element by element.
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      const hazards = inputHazards(value, metadata.data ?? '');
      if (hazards) throw validationFailed(hazards);
    }
    if (metadata.metatype && (metadata.type === 'body' || metadata.type === 'query')) {
      const tooLong = arrayLimitErrors(metadata.metatype, value);
      if (tooLong) throw validationFailed(tooLong);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }

  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/**
 * Whitelisting with forbidNonWhitelisted is the mass-assignment guard: a body can only carry
 * the fields its DTO declares, so role, is_active, sales or ids are refused, not ignored.
 */
export const createValidationPipe = (): ValidationPipe =>
  new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]): DomainError =>
      validationFailed(toFieldErrors(errors)),
  });
