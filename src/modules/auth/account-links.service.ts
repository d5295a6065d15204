import { Injectable, Logger } from '@nestjs/common';
import { validationFailed } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { TransactionRunner, type Tx } from '../../infra/database/transaction-runner.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { UserTokensRepository } from './user-tokens.repository.js';

const VERIFY_TTL_SECONDS = 7 * 24 * 3600;
const RESET_TTL_SECONDS = 3600;
const BAD_TOKEN = { token: 'token is invalid, already used or expired' };

/** Links sent by mail: email verification and password reset. */
@Injectable()
export class AccountLinksService {
  private readonly logger = new Logger(AccountLinksService.name);

  constructor(
    private readonly users: UsersService,
    private readonly tokens: UserTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
    private readonly outbox: Outbox,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** The welcome mail (with a verification link) of a user created in this transaction. */
  async welcome(tx: Tx, user: UserEntity): Promise<OutboxEvent> {
    const { token } = await this.tokens.issue(
      tx,
      user.id,
      'verify_email',
      user.email,
      VERIFY_TTL_SECONDS,
    );
    return {
      kind: 'mail',
      job: {
        key: `welcome-${user.id}`,
        to: user.email,
        template: {
          name: 'welcome',
          username: user.username,
          verify_url: this.link('verify-email', token),
        },
      },
    };
  }

  /** A verification link for a user's new address, replacing earlier ones. */
  async verifyNewEmail(tx: Tx, user: UserEntity): Promise<OutboxEvent> {
    await this.tokens.retireUnused(tx, user.id, 'verify_email');
    const { id, token } = await this.tokens.issue(
      tx,
      user.id,
      'verify_email',
      user.email,
      VERIFY_TTL_SECONDS,
    );
    return {
      kind: 'mail',
      job: {
        key: `verify-email-${id}`,
        to: user.email,
        template: {
          name: 'verify_email',
          username: user.username,
          verify_url: this.link('verify-email', token),
        },
      },
    };
  }

  async verifyEmail(token: string): Promise<UserEntity> {
    return this.transactions.run(async (tx) => {
      const used = await this.tokens.consume(tx, token, 'verify_email');
      if (!used) throw validationFailed(BAD_TOKEN);
      const user = await this.users.getById(used.user_id, tx);
      // A link sent to an address the user has since replaced proves nothing about the new one.
      if (user.email.toLowerCase() !== used.email.toLowerCase()) throw validationFailed(BAD_TOKEN);
      return user.emailVerified ? user : this.users.update(user.id, { emailVerified: true }, tx);
    });
  }

  /**
   * Answers at once whatever the address: the lookup and the mail happen after the response,
   * so neither the answer nor its timing tells whether an account exists.
   */
  forgotPassword(email: string): void {
    this.startReset(email).catch((error: unknown) => {
      this.logger.warn(
        `Password reset for a requested address failed: ${(error as Error).message}`,
      );
    });
  }

  async resetPassword(token: string, password: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    await this.transactions.run(async (tx) => {
      const used = await this.tokens.consume(tx, token, 'reset_password');
      if (!used) throw validationFailed(BAD_TOKEN);
      await this.users.update(used.user_id, { passwordHash }, tx);
      await this.sessions.revokeAllForUser(used.user_id, 'password_reset', undefined, tx);
    });
  }

  private async startReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user?.isActive) return;
    await this.transactions.run(async (tx) => {
      await this.tokens.retireUnused(tx, user.id, 'reset_password');
      const { id, token } = await this.tokens.issue(
        tx,
        user.id,
        'reset_password',
        user.email,
        RESET_TTL_SECONDS,
      );
      await this.outbox.record(tx, [
        {
          kind: 'mail',
          job: {
            key: `password-reset-${id}`,
            to: user.email,
            template: {
              name: 'password_reset',
              username: user.username,
              reset_url: this.link('reset-password', token),
            },
          },
        },
      ]);
    });
    this.outbox.flush();
  }

  private link(page: 'verify-email' | 'reset-password', token: string): string {
    const url = new URL(
      page,
      this.config.mail.appUrl.endsWith('/')
        ? this.config.mail.appUrl
        : `${this.config.mail.appUrl}/`,
    );
    url.searchParams.set('token', token);
    return url.toString();
  }
}
