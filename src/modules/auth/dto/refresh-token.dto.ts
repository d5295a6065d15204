import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from login or the last refresh' })
  @applyDecorators(
    IsString({ message: 'refresh_token must be a string' }),
    IsNotEmpty({ message: 'refresh_token is required' }),
    MaxLength(2048, { message: 'refresh_token is too long' }),
  )
  refresh_token!: string;
}
