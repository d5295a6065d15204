import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { SESSION_AUTHENTICATOR } from '../../common/auth/session-authenticator.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ACCOUNT_CREDENTIALS } from '../users/index.js';
import { UsersModule } from '../users/index.js';
import { AccessContexts } from './access-contexts.js';
import { AccountCredentialsProvider } from './account-credentials.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountLockout } from './account-lockout.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsRepository } from './sessions.repository.js';
import { JwtKeys } from './jwt-keys.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { TokenService } from './token.service.js';
import { UserTokensRepository } from './user-tokens.repository.js';

/**
 * Credentials, logins, sessions and mailed links; no routes (see AuthHttpModule). Gives the
 * JWT guard its SessionAuthenticator and the users module its AccountCredentials.
 */
@Module({
  imports: [
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.jwt.secret }),
    }),
  ],
  providers: [
    AuthService,
    AccessContexts,
    AccountLinksService,
    AccountLockout,
    AccountCredentialsProvider,
    PasswordHasher,
    SessionsRepository,
    UserTokensRepository,
    TokenService,
    JwtKeys,
    JwtStrategy,
    { provide: SESSION_AUTHENTICATOR, useExisting: AuthService },
    { provide: ACCOUNT_CREDENTIALS, useExisting: AccountCredentialsProvider },
  ],
  exports: [
    AuthService,
    AccountLinksService,
    PasswordHasher,
    SESSION_AUTHENTICATOR,
    ACCOUNT_CREDENTIALS,
  ],
})
export class AuthModule {}
