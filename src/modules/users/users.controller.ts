import { Body, Controller, Get, Param, Patch, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiErrors } from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { CurrentUser, type AuthUser } from '../../common/decorators/current-user.decorator.js';
import { StrictRateLimit } from '../../common/decorators/rate-limit.decorator.js';
import { PageQueryDto, type Page } from '../../common/dto/page.js';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe.js';
import { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import { ProfileService } from './profile.service.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly profile: ProfileService,
  ) {}

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiEnvelope(UserResponseDto)
  me(@CurrentUser() caller: AuthUser): Promise<UserResponseDto> {
    return this.users.me(caller.id);
  }

  @Put('me')
  @Auth()
  // A request that checks a password is a password guess: the strict limit, like login.
  @StrictRateLimit({ whenBodyHas: 'current_password' })
  @ApiOperation({
    summary: 'Change own email, username or password',
    description:
      'current_password is required to change email or password, and a request carrying it counts against the strict rate limit; a wrong one counts as a failed sign-in of the account. A new password signs out every other login; a new password or email retires every mailed link.',
  })
  @ApiEnvelope(UserResponseDto)
  @ApiErrors(400, 409, 429)
  updateMe(@CurrentUser() caller: AuthUser, @Body() dto: UpdateMeDto): Promise<UserResponseDto> {
    return this.profile.updateMe(caller, dto);
  }

  @Get()
  @Auth('admin')
  @ApiOperation({ summary: 'All users, by id' })
  @ApiEnvelope(UserResponseDto, { paged: true })
  @ApiErrors(400)
  list(@Query() query: PageQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  @Patch(':id')
  @Auth('admin')
  @ApiOperation({ summary: 'Enable, disable, promote or demote a user' })
  @ApiEnvelope(UserResponseDto)
  @ApiErrors(400, 404)
  adminUpdate(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: AdminUpdateUserDto,
  ): Promise<UserResponseDto> {
    return this.users.adminUpdate(caller.id, id, dto);
  }
}
