import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { KNOWN_PROVIDERS } from '../providers/adapters.js';

export class CreatePaymentDto {
  @ApiProperty({
    enum: KNOWN_PROVIDERS,
    example: 'stripe',
    description: 'One of the providers PAYMENT_PROVIDERS enables (400 otherwise)',
  })
  @IsString()
  @Length(1, 32)
  provider!: string;
}
