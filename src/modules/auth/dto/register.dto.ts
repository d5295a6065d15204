import { ApiProperty } from '@nestjs/swagger';
import { EmailField, PasswordField, UsernameField } from '../../users/index.js';

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @EmailField()
  email!: string;

  @ApiProperty({ example: 'ada', minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$' })
  @UsernameField()
  username!: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 128 })
  @PasswordField()
  password!: string;
}
