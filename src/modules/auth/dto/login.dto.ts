import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { Chars } from '../../../common/validation/text-length.js';

export class LoginDto {
  @ApiProperty({ example: 'ada', description: 'Username or email' })
  @applyDecorators(
    IsString({ message: 'username must be a string' }),
    IsNotEmpty({ message: 'username is required' }),
    Chars(0, 254, { message: 'username must be at most 254 characters' }),
  )
  username!: string;

  @ApiProperty({ example: 'correct horse battery' })
  @applyDecorators(
    IsString({ message: 'password must be a string' }),
    IsNotEmpty({ message: 'password is required' }),
    Chars(0, 128, { message: 'password must be at most 128 characters' }),
  )
  password!: string;
}
