import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { validationFailed } from '../errors/domain-error.js';

const DIGITS = /^[1-9]\d{0,15}$/;

/** Path ids are positive integers; anything else is a 400 before it reaches a query. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    const id = DIGITS.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw validationFailed({ [name]: `${name} must be a positive integer` });
    }
    return id;
  }
}
