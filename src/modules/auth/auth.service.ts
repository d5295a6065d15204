import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  AccessTokenClaims,
  Authenticated,
  SessionAuthenticator,
} from '../../common/auth/session-authenticator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { forbidden, unauthorized } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Database } from '../../infra/database/database.js';
import { Outbox } from '../../infra/queue/outbox.js';
import { UserResponseDto } from '../users/index.js';
import { UsersService } from '../users/index.js';
import { AccessContexts } from './access-contexts.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountLockout } from './account-lockout.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { TokensDto } from './dto/tokens.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsRepository } from './sessions.repository.js';
import { hashToken, TokenService } from './token.service.js';

const BAD_CREDENTIALS = 'Invalid username or password';
const BAD_REFRESH = 'Invalid or expired refresh token';

/** Registration, logins and their sessions; checks every authenticated request's login. */
@Injectable()
export class AuthService implements SessionAuthenticator {
  constructor(
    private readonly database: Database,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokenService,
    private readonly links: AccountLinksService,
    private readonly outbox: Outbox,
    private readonly lockout: AccountLockout,
    private readonly contexts: AccessContexts,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Creates the account and, in the same transaction, its welcome mail with a verify link. */
  async register(dto: RegisterDto): Promise<UserResponseDto> {
    const passwordHash = await this.hasher.hash(dto.password);
    const user = await this.database.transaction(async (tx) => {
      const created = await this.users.create(tx, {
        email: dto.email,
        username: dto.username,
        password_hash: passwordHash,
        role: 'customer',
      });
      await this.outbox.record(tx, [await this.links.welcome(tx, created)]);
      return created;
    });
    this.outbox.flush();
    return UserResponseDto.from(user);
  }

  /**
   * Unknown user and wrong password answer alike, in the same time, and count alike against the
   * name tried (AccountLockout); a name that is an account's counts for the account, under both
   * its names, so a lock by username also holds for the email. A disabled account is 403 once
   * the password is right.
   */
  async login(dto: LoginDto): Promise<TokensDto> {
    const user = await this.users.findByLogin(dto.username);
    const attempt = await this.lockout.attempt(
      user ? [dto.username, user.username, user.email] : [dto.username],
    );
    const valid = user
      ? await this.hasher.verify(user.password_hash, dto.password)
      : await this.hasher.verifyDecoy(dto.password);
    if (!user || !valid) throw unauthorized(BAD_CREDENTIALS);
    await this.lockout.succeeded(attempt);
    if (!user.is_active) throw forbidden('Account is disabled');
    if (this.hasher.needsRehash(user.password_hash)) {
      await this.users.update(this.database.pool, user.id, {
        password_hash: await this.hasher.hash(dto.password),
      });
    }
    return this.startSession(user.id);
  }

  /**
   * Rotates the refresh token. Presenting one that is no longer current means it was copied:
   * the whole login is revoked, so whoever holds the newer token is signed out too.
   */
  async refresh(refreshToken: string): Promise<TokensDto> {
    const db = this.database.pool;
    const claims = this.tokens.verifyRefresh(refreshToken);
    if (!claims) throw unauthorized(BAD_REFRESH);
    const session = await this.sessions.findById(db, claims.sid);
    if (!session || String(session.user_id) !== claims.sub || session.revoked_at) {
      throw unauthorized(BAD_REFRESH);
    }
    const context = await this.sessions.findAccessContext(db, session.id);
    if (!context?.is_active) throw forbidden('Account is disabled');

    // The swap succeeds only if the presented token is still the current one; a stale token
    // (already rotated, or rotated by a concurrent request) is reuse.
    const next = this.tokens.issue(session.user_id, session.id);
    const rotated = await this.sessions.rotate(
      db,
      session.id,
      hashToken(refreshToken),
      next.refreshHash,
      next.refreshExpiresAt,
    );
    if (!rotated) return this.rejectReuse(session.id, session.user_id);
    // The login's expiry moved: a cached check would end it at the old one.
    await this.contexts.forget(session.user_id);
    return TokensDto.from(next, this.config.jwt);
  }

  /** Ends the login the refresh token belongs to; its access tokens die with it. */
  async logout(caller: AuthUser, refreshToken: string): Promise<void> {
    const claims = this.tokens.verifyRefresh(refreshToken, { ignoreExpiration: true });
    if (!claims || claims.sub !== String(caller.id)) throw unauthorized(BAD_REFRESH);
    await this.sessions.revoke(this.database.pool, claims.sid, 'logout');
    await this.contexts.forget(caller.id);
  }

  /**
   * Runs on every authenticated request: the token's login must be live and its user active
   * (answered from Redis while nothing changed them, see AccessContexts). A refused token's
   * check is cached at once; an accepted one's by the caller, once the request proved valid.
   */
  async authenticate(claims: AccessTokenClaims): Promise<Authenticated> {
    const { context, keep } = await this.contexts.find(claims.sid, Number(claims.sub));
    if (
      !context ||
      context.revoked ||
      String(context.user_id) !== claims.sub ||
      context.expires_at < new Date()
    ) {
      await keep?.();
      throw unauthorized('Session has ended; sign in again');
    }
    if (!context.is_active) {
      await keep?.();
      throw forbidden('Account is disabled');
    }
    return {
      user: {
        id: context.user_id,
        email: context.email,
        role: context.role,
        sessionId: claims.sid,
      },
      keepCheck: keep,
    };
  }

  private async startSession(userId: number): Promise<TokensDto> {
    const sessionId = randomUUID();
    const issued = this.tokens.issue(userId, sessionId);
    await this.sessions.create(this.database.pool, {
      id: sessionId,
      user_id: userId,
      refresh_token_hash: issued.refreshHash,
      expires_at: issued.refreshExpiresAt,
    });
    return TokensDto.from(issued, this.config.jwt);
  }

  private async rejectReuse(sessionId: string, userId: number): Promise<never> {
    await this.sessions.revoke(this.database.pool, sessionId, 'reuse');
    await this.contexts.forget(userId);
    throw unauthorized('Refresh token was already used; this login has been revoked');
  }
}
