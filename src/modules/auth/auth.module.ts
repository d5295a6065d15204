import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { UsersModule } from '../users/users.module.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountLockout } from './account-lockout.js';
import { AccountService } from './account.service.js';
import { AuthService } from './auth.service.js';
import { SessionEntity } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { TokenService } from './token.service.js';
import { UserTokensRepository } from './user-tokens.repository.js';

/** Logins, tokens and credentials; no routes (see AuthHttpModule). */
@Module({
  imports: [
    UsersModule,
    PassportModule,
    TypeOrmModule.forFeature([SessionEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.jwt.secret }),
    }),
  ],
  providers: [
    AuthService,
    AccountService,
    AccountLinksService,
    AccountLockout,
    SessionsRepository,
    UserTokensRepository,
    TokenService,
    JwtStrategy,
  ],
  exports: [AuthService, AccountService, AccountLinksService],
})
export class AuthModule {}
