import { ApiProperty } from '@nestjs/swagger';

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
}
