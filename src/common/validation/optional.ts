import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but if present it is validated, null included. class-validator's
 * IsOptional() would also wave null through, which for a NOT NULL column means a 500 later.
 */
export const OmittableNotNull = (): PropertyDecorator =>
  ValidateIf((_object, value) => value !== undefined);
