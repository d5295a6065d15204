import { ApiProperty } from '@nestjs/swagger';
import type { AppConfig } from '../../../config/app-config.js';
import type { IssuedTokens } from '../token.service.js';

export class TokensDto {
  @ApiProperty({ description: 'JWT (HS256) for Authorization: Bearer' })
  access_token!: string;

  @ApiProperty({ description: 'Single-use: each refresh returns a new one and kills the old' })
  refresh_token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ type: 'integer', example: 900, description: 'Access token lifetime in seconds' })
  expires_in!: number;

  @ApiProperty({
    type: 'integer',
    example: 604800,
    description: 'Refresh token lifetime in seconds',
  })
  refresh_expires_in!: number;

  static from(issued: IssuedTokens, lifetimes: AppConfig['jwt']): TokensDto {
    return {
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      token_type: 'Bearer',
      expires_in: lifetimes.accessTtl,
      refresh_expires_in: lifetimes.refreshTtl,
    };
  }
}
