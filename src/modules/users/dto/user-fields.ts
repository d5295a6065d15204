import { applyDecorators } from '@nestjs/common';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

/** Field rules shared by registration and profile updates, so both validate alike. */
export const EmailField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'email must be a string' }),
    MaxLength(254, { message: 'email must be at most 254 characters' }),
    IsEmail({}, { message: 'email must be a valid email address' }),
  );

export const UsernameField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'username must be a string' }),
    Length(3, 50, { message: 'username must be 3 to 50 characters' }),
    Matches(/^[A-Za-z0-9_.-]+$/, {
      message: 'username may contain only letters, digits, underscore, dot and hyphen',
    }),
  );

export const PasswordField = (name = 'password'): PropertyDecorator =>
  applyDecorators(
    IsString({ message: `${name} must be a string` }),
    Length(8, 128, { message: `${name} must be 8 to 128 characters` }),
  );
