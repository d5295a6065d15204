import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiEnvelope,
  ApiErrors,
  ApiNoContent,
} from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { CurrentUser, type AuthUser } from '../../common/decorators/current-user.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { StrictRateLimit } from '../../common/decorators/rate-limit.decorator.js';
import { UserResponseDto } from '../users/index.js';
import { AccountLinksService } from './account-links.service.js';
import { AuthService } from './auth.service.js';
import { ForgotPasswordDto, ResetPasswordDto, VerifyEmailDto } from './dto/account-links.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { TokensDto } from './dto/tokens.dto.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly links: AccountLinksService,
  ) {}

  @Post('register')
  @Public()
  @StrictRateLimit()
  @ApiOperation({ summary: 'Create a customer account' })
  @ApiEnvelope(UserResponseDto, { status: 201 })
  @ApiErrors(400, 409, 413, 429)
  register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return this.auth.register(dto);
  }

  @Post('login')
  @Public()
  @StrictRateLimit()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with username or email; starts a login' })
  @ApiEnvelope(TokensDto)
  @ApiErrors(400, 401, 403, 429)
  login(@Body() dto: LoginDto): Promise<TokensDto> {
    return this.auth.login(dto);
  }

  @Post('refresh')
  @Public()
  @StrictRateLimit()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description: 'The presented token dies. Presenting a dead one revokes the whole login (401).',
  })
  @ApiEnvelope(TokensDto)
  @ApiErrors(400, 401, 403, 429)
  refresh(@Body() dto: RefreshTokenDto): Promise<TokensDto> {
    return this.auth.refresh(dto.refresh_token);
  }

  @Post('logout')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End a login: its refresh and access tokens stop working' })
  @ApiNoContent()
  @ApiErrors(400)
  async logout(@CurrentUser() user: AuthUser, @Body() dto: RefreshTokenDto): Promise<void> {
    await this.auth.logout(user, dto.refresh_token);
  }

  @Post('verify-email')
  @Public()
  @StrictRateLimit()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm an email address with the token from the mailed link' })
  @ApiEnvelope(UserResponseDto)
  @ApiErrors(400, 429)
  verifyEmail(@Body() dto: VerifyEmailDto): Promise<UserResponseDto> {
    return this.links.verifyEmail(dto.token);
  }

  @Post('forgot-password')
  @Public()
  @StrictRateLimit()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Mail a password reset link (valid one hour)',
    description: 'Always 202, whether or not the address has an account.',
  })
  @ApiEnvelope(undefined, { status: 202 })
  @ApiErrors(400, 429)
  forgotPassword(@Body() dto: ForgotPasswordDto): null {
    this.links.forgotPassword(dto.email);
    return null;
  }

  @Post('reset-password')
  @Public()
  @StrictRateLimit()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Set a new password with the mailed token; signs out every login' })
  @ApiNoContent()
  @ApiErrors(400, 429)
  async resetPassword(@Body() dto: ResetPasswordDto): Promise<void> {
    await this.links.resetPassword(dto.token, dto.password);
  }
}
