import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Entries shorter than this cannot be a password here (8 is the minimum length anyway). */
const MIN_LENGTH = 8;

let common: ReadonlySet<string> | undefined;

/**
 * The common-password list of zxcvbn-ts (about 50,000 passwords from leaked-password corpora;
 * @zxcvbn-ts/language-common), compared without case. Loaded on first use.
 */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    dictionary['passwords-common']
      .filter((password) => password.length >= MIN_LENGTH)
      .map((password) => password.toLowerCase()),
  );
  return common;
}

export const isCommonPassword = (password: string): boolean =>
  commonPasswords().has(password.toLowerCase());

/** Refuses passwords on the list of common passwords. */
export const IsNotCommonPassword = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isNotCommonPassword',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isCommonPassword(value),
      },
    },
    options,
  );
