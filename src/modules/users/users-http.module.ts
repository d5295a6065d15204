import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { UsersController } from './users.controller.js';
import { UsersModule } from './users.module.js';

@Module({
  imports: [UsersModule, AuthModule],
  controllers: [UsersController],
  providers: [AdminBootstrapService],
})
export class UsersHttpModule {}
