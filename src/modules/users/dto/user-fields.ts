import { applyDecorators } from '@nestjs/common';
import { IsEmail, IsString, Matches } from 'class-validator';
import { IsNotCommonPassword } from './common-passwords.js';
import { Chars } from '../../../common/validation/text-length.js';

/**
 * What an address may be so that real SMTP relays take it: no quoted local part ("a b"@x),
 * no IP-literal domain (x@[10.0.0.1]), no non-ASCII local part (needs SMTPUTF8, which many
 * relays lack), a domain with a TLD. validator.js accepts the first and third by default.
 */
const DELIVERABLE_EMAIL = {
  allow_display_name: false,
  allow_ip_domain: false,
  allow_utf8_local_part: false,
  require_tld: true,
  blacklisted_chars: '"',
} as const;

/** Field rules shared by registration and profile updates, so both validate alike. */
export const EmailField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'email must be a string' }),
    Chars(0, 254, { message: 'email must be at most 254 characters' }),
    IsEmail(DELIVERABLE_EMAIL, { message: 'email must be a valid email address' }),
  );

export const UsernameField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'username must be a string' }),
    Chars(3, 50, { message: 'username must be 3 to 50 characters' }),
    Matches(/^[A-Za-z0-9_.-]+$/, {
      message: 'username may contain only letters, digits, underscore, dot and hyphen',
    }),
  );

export const PasswordField = (name = 'password'): PropertyDecorator =>
  applyDecorators(
    IsString({ message: `${name} must be a string` }),
    Chars(8, 128, { message: `${name} must be 8 to 128 characters` }),
    IsNotCommonPassword({ message: `${name} is too common; choose another` }),
  );
