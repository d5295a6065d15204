import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation/optional.js';
import { EmailField, PasswordField, UsernameField } from './user-fields.js';
import { Chars } from '../../../common/validation/text-length.js';

export class UpdateMeDto {
  @ApiPropertyOptional({ example: 'ada@example.com' })
  @OmittableNotNull()
  @EmailField()
  email?: string;

  @ApiPropertyOptional({ example: 'ada', minLength: 3, maxLength: 50 })
  @OmittableNotNull()
  @UsernameField()
  username?: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 128, description: 'The new password' })
  @OmittableNotNull()
  @PasswordField()
  password?: string;

  @ApiProperty({ required: false, description: 'Required to change email or password' })
  @OmittableNotNull()
  @applyDecorators(
    IsString({ message: 'current_password must be a string' }),
    Chars(0, 128, { message: 'current_password must be at most 128 characters' }),
  )
  current_password?: string;
}
