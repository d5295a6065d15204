import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation/optional.js';
import { USER_ROLES, type UserRole } from '../../../common/auth/roles.js';

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ description: 'false disables the account: its live tokens answer 403' })
  @OmittableNotNull()
  @IsBoolean({ message: 'is_active must be a boolean' })
  is_active?: boolean;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @OmittableNotNull()
  @IsIn(USER_ROLES, { message: `role must be one of ${USER_ROLES.join(', ')}` })
  role?: UserRole;
}
