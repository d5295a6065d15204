import { Injectable, Logger } from '@nestjs/common';
import { validationFailed } from '../../common/errors/domain-error.js';
import {
  LINK_PURPOSES,
  mintLinkToken,
  type LinkPurpose,
} from '../../common/security/link-token.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database, type Tx } from '../../infra/database/database.js';
import type { MailTemplate } from '../../infra/mail/templates.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { UserResponseDto } from '../users/index.js';
import type { UserRow } from '../users/index.js';
import { UsersService } from '../users/index.js';
import { AccessContexts } from './access-contexts.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsRepository } from './sessions.repository.js';
import { hashToken } from './token.service.js';
import { UserTokensRepository } from './user-tokens.repository.js';

const VERIFY_TTL_SECONDS = 7 * 24 * 3600;
const RESET_TTL_SECONDS = 3600;
const BAD_TOKEN = { token: 'token is invalid, already used or expired' };

const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

const mail = (key: string, to: string, template: MailTemplate): OutboxEvent => ({
  kind: 'mail',
  job: { key, to, template },
});

/**
 * Links sent by mail: email verification and password reset. A link's secret is derived from
 * its token row's id (mintLinkToken) and only its hash is stored; the mail job carries the id,
 * and the sender derives the same secret, so no job, outbox row or dashboard holds a usable link.
 */
@Injectable()
export class AccountLinksService {
  private readonly logger = new Logger(AccountLinksService.name);

  constructor(
    private readonly users: UsersService,
    private readonly tokens: UserTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly contexts: AccessContexts,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** The welcome mail (with a verification link) of a user created in this transaction. */
  async welcome(tx: Tx, user: UserRow): Promise<OutboxEvent> {
    const id = await this.issue(tx, user, 'verify_email', VERIFY_TTL_SECONDS);
    return mail(`welcome-${user.id}`, user.email, {
      name: 'welcome',
      username: user.username,
      token_id: id,
    });
  }

  /** A verification link for a user's new address (call retireAll first). */
  async verifyNewEmail(tx: Tx, user: UserRow): Promise<OutboxEvent> {
    const id = await this.issue(tx, user, 'verify_email', VERIFY_TTL_SECONDS);
    return mail(`verify-email-${id}`, user.email, {
      name: 'verify_email',
      username: user.username,
      token_id: id,
    });
  }

  /** A new password or address retires every link sent before it. */
  retireAll(tx: Tx, userId: number): Promise<void> {
    return this.tokens.retireUnused(tx, userId, LINK_PURPOSES);
  }

  async verifyEmail(token: string): Promise<UserResponseDto> {
    const user = await this.database.transaction(async (tx) => {
      const used = await this.tokens.consume(tx, hashToken(token), 'verify_email');
      if (!used) throw validationFailed(BAD_TOKEN);
      const user = await this.users.getById(used.user_id, tx);
      // A link sent to an address the user has since replaced proves nothing about the new one.
      if (!sameAddress(user.email, used.email)) throw validationFailed(BAD_TOKEN);
      return user.email_verified ? user : this.users.update(tx, user.id, { email_verified: true });
    });
    return UserResponseDto.from(user);
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
    const userId = await this.database.transaction(async (tx) => {
      const used = await this.tokens.consume(tx, hashToken(token), 'reset_password');
      if (!used) throw validationFailed(BAD_TOKEN);
      const user = await this.users.getById(used.user_id, tx);
      // Mailed to an address the account no longer has: whoever reads that inbox now is not
      // necessarily the account's owner.
      if (!sameAddress(user.email, used.email)) throw validationFailed(BAD_TOKEN);
      await this.users.update(tx, user.id, { password_hash: passwordHash });
      await this.retireAll(tx, user.id);
      await this.sessions.revokeAllForUser(tx, user.id, 'password_reset');
      return user.id;
    });
    await this.contexts.forget(userId);
  }

  private async startReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user?.is_active) return;
    await this.database.transaction(async (tx) => {
      await this.tokens.retireUnused(tx, user.id, ['reset_password']);
      const id = await this.issue(tx, user, 'reset_password', RESET_TTL_SECONDS);
      await this.outbox.record(tx, [
        mail(`password-reset-${id}`, user.email, {
          name: 'password_reset',
          username: user.username,
          token_id: id,
        }),
      ]);
    });
    this.outbox.flush();
  }

  /** A new token row for a link to the user's current address; answers its id. */
  private async issue(
    tx: Tx,
    user: Pick<UserRow, 'id' | 'email'>,
    purpose: LinkPurpose,
    ttlSeconds: number,
  ): Promise<number> {
    const id = await this.tokens.nextId(tx);
    await this.tokens.insert(tx, {
      id,
      user_id: user.id,
      purpose,
      token_hash: hashToken(mintLinkToken(this.config.jwt.secret, purpose, id)),
      email: user.email,
      ttl_seconds: ttlSeconds,
    });
    return id;
  }
}
