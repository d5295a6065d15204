import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { forbidden, unauthorized } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { TransactionRunner } from '../../infra/database/transaction-runner.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountLockout } from './account-lockout.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { TokensDto } from './dto/tokens.dto.js';
import { SessionsRepository } from './sessions.repository.js';
import { hashToken, TokenService, type TokenClaims } from './token.service.js';

const BAD_CREDENTIALS = 'Invalid username or password';
const BAD_REFRESH = 'Invalid or expired refresh token';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokenService,
    private readonly links: AccountLinksService,
    private readonly transactions: TransactionRunner,
    private readonly outbox: Outbox,
    private readonly lockout: AccountLockout,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Creates the account and, in the same transaction, its welcome mail with a verify link. */
  async register(dto: RegisterDto): Promise<UserEntity> {
    const user = await this.transactions.run(async (tx) => {
      const created = await this.users.create(
        { email: dto.email, username: dto.username, password: dto.password },
        tx,
      );
      await this.outbox.record(tx, [await this.links.welcome(tx, created)]);
      return created;
    });
    this.outbox.flush();
    return user;
  }

  /**
   * Unknown user and wrong password answer alike, in the same time, and count alike against the
   * name tried (AccountLockout); a disabled account is 403 once the password is right.
   */
  async login(dto: LoginDto): Promise<TokensDto> {
    const attempt = await this.lockout.attempt([dto.username]);
    const user = await this.users.findByLogin(dto.username);
    const valid = user
      ? await this.hasher.verify(user.passwordHash, dto.password)
      : await this.hasher.verifyDecoy(dto.password);
    if (!user || !valid) throw unauthorized(BAD_CREDENTIALS);
    await this.lockout.succeeded(attempt);
    if (!user.isActive) throw forbidden('Account is disabled');
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(dto.password) });
    }
    return this.startSession(user.id);
  }

  /**
   * Rotates the refresh token. Presenting one that is no longer current means it was copied:
   * the whole login is revoked, so whoever holds the newer token is signed out too.
   */
  async refresh(refreshToken: string): Promise<TokensDto> {
    const claims = this.tokens.verifyRefresh(refreshToken);
    if (!claims) throw unauthorized(BAD_REFRESH);
    const session = await this.sessions.findById(claims.sid);
    if (!session || String(session.userId) !== claims.sub || session.revokedAt) {
      throw unauthorized(BAD_REFRESH);
    }
    const context = await this.sessions.findAccessContext(session.id);
    if (!context?.isActive) throw forbidden('Account is disabled');

    // The swap succeeds only if the presented token is still the current one; a stale token
    // (already rotated, or rotated by a concurrent request) is reuse.
    const next = this.tokens.issue(session.userId, session.id);
    const rotated = await this.sessions.rotate(
      session.id,
      hashToken(refreshToken),
      next.refreshHash,
      next.refreshExpiresAt,
    );
    if (!rotated) return this.rejectReuse(session.id);
    return this.toDto(next.accessToken, next.refreshToken);
  }

  /** Ends the login the refresh token belongs to; its access tokens die with it. */
  async logout(caller: AuthUser, refreshToken: string): Promise<void> {
    const claims = this.tokens.verifyRefresh(refreshToken, { ignoreExpiration: true });
    if (!claims || claims.sub !== String(caller.id)) throw unauthorized(BAD_REFRESH);
    await this.sessions.revoke(claims.sid, 'logout');
  }

  /** Runs on every authenticated request: the token's login must be live and its user active. */
  async authenticate(claims: TokenClaims): Promise<AuthUser> {
    const context = await this.sessions.findAccessContext(claims.sid);
    if (
      !context ||
      context.revoked ||
      String(context.userId) !== claims.sub ||
      context.expiresAt < new Date()
    ) {
      throw unauthorized('Session has ended; sign in again');
    }
    if (!context.isActive) throw forbidden('Account is disabled');
    return { id: context.userId, email: context.email, role: context.role, sessionId: claims.sid };
  }

  private async startSession(userId: number): Promise<TokensDto> {
    const sessionId = randomUUID();
    const issued = this.tokens.issue(userId, sessionId);
    await this.sessions.create({
      id: sessionId,
      userId,
      refreshTokenHash: issued.refreshHash,
      expiresAt: issued.refreshExpiresAt,
    });
    return this.toDto(issued.accessToken, issued.refreshToken);
  }

  private async rejectReuse(sessionId: string): Promise<never> {
    await this.sessions.revoke(sessionId, 'reuse');
    throw unauthorized('Refresh token was already used; this login has been revoked');
  }

  private toDto(accessToken: string, refreshToken: string): TokensDto {
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: this.config.jwt.accessTtl,
      refresh_expires_in: this.config.jwt.refreshTtl,
    };
  }
}
