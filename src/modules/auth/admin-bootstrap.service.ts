import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { UsersService } from '../users/index.js';
import { PasswordHasher } from './password-hasher.js';

/** Ensures the ADMIN_EMAIL/ADMIN_PASSWORD admin exists when the api starts. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { email, password, username } = this.config.admin;
    if (email !== undefined && password !== undefined) {
      await this.users.ensureAdmin({ email, username }, () => this.hasher.hash(password));
    }
  }
}
