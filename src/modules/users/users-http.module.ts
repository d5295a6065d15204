import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ProfileService } from './profile.service.js';
import { UsersController } from './users.controller.js';
import { UsersModule } from './users.module.js';

/**
 * The users routes. The profile needs AccountCredentials (ACCOUNT_CREDENTIALS); `credentials`
 * is the module that exports it (auth's), chosen by the app, so that users never imports auth.
 */
@Module({})
export class UsersHttpModule {
  static register(credentials: Type | DynamicModule): DynamicModule {
    return {
      module: UsersHttpModule,
      imports: [UsersModule, credentials],
      controllers: [UsersController],
      providers: [ProfileService],
    };
  }
}
