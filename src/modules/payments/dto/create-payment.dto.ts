import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { KNOWN_PROVIDERS } from '../providers/adapters.js';
import { Chars } from '../../../common/validation/text-length.js';

export class CreatePaymentDto {
  @ApiProperty({
    enum: KNOWN_PROVIDERS,
    example: 'stripe',
    description: 'One of the providers PAYMENT_PROVIDERS enables (400 otherwise)',
  })
  @applyDecorators(
    IsString({ message: 'provider must be a string' }),
    Chars(1, 32, { message: 'provider must be 1 to 32 characters' }),
  )
  provider!: string;
}
