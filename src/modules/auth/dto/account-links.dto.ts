import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { EmailField, PasswordField } from '../../users/index.js';
import { Chars } from '../../../common/validation/text-length.js';

const TokenField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'token must be a string' }),
    IsNotEmpty({ message: 'token is required' }),
    Chars(0, 200, { message: 'token is too long' }),
  );

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verification link' })
  @TokenField()
  token!: string;
}

export class ForgotPasswordDto {
  @ApiProperty({ example: 'ada@example.com' })
  @EmailField()
  email!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token from the reset link (valid one hour, single use)' })
  @TokenField()
  token!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @PasswordField()
  password!: string;
}
