import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { validationFailed } from '../errors/domain-error.js';
import { parseId } from '../validation/id.js';

/** Path ids are positive integers; anything else is a 400 before it reaches a query. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    const id = parseId(value);
    if (id === undefined) {
      throw validationFailed({ [name]: `${name} must be a positive integer` });
    }
    return id;
  }
}
