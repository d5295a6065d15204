import { Module } from '@nestjs/common';
import { UsersModule } from '../users/index.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { AuthController } from './auth.controller.js';
import { AuthModule } from './auth.module.js';

/** The auth routes, and the configured admin account (api only, not the worker). */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [AuthController],
  providers: [AdminBootstrapService],
})
export class AuthHttpModule {}
