import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { Chars } from '../../../common/validation/text-length.js';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from login or the last refresh' })
  @applyDecorators(
    IsString({ message: 'refresh_token must be a string' }),
    IsNotEmpty({ message: 'refresh_token is required' }),
    Chars(0, 2048, { message: 'refresh_token is too long' }),
  )
  refresh_token!: string;
}
