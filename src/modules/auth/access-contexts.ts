import { Injectable } from '@nestjs/common';
import { userAccessTag } from '../../common/auth/session-authenticator.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import type { CachedAnswer } from '../../infra/cache/cached-answer.js';
import { ResponseCache } from '../../infra/cache/response-cache.js';
import { Database } from '../../infra/database/database.js';
import { SessionsRepository, type AccessContextRow } from './sessions.repository.js';

const NO_SESSION = 'no such session';

/**
 * What every authenticated request checks (its login live, its user active, role and email),
 * answered from the response cache (Redis, under the app's key prefix, for SESSION_CACHE_TTL
 * seconds at most) and otherwise from PostgreSQL. Entries are tagged with their user
 * (userAccessTag): logout, a refresh, a password change or reset, a role or status change all
 * invalidate the tag after they commit, so the very next request reads PostgreSQL again. When
 * Redis is unreachable, or an invalidation could not reach it, the cache is bypassed (see
 * ResponseCache and CacheVersions): a revoked login is never accepted from an old entry.
 */
@Injectable()
export class AccessContexts {
  private readonly ttlSeconds: number;

  constructor(
    private readonly cache: ResponseCache,
    private readonly sessions: SessionsRepository,
    private readonly database: Database,
    @InjectConfig() config: AppConfig,
  ) {
    this.ttlSeconds = config.sessionCache.ttl;
  }

  /**
   * The login's context; `userId` is the token's subject, whose changes invalidate it. What
   * caching it writes to Redis is written only when `keep` is called.
   */
  async find(
    sessionId: string,
    userId: number,
  ): Promise<{ context: AccessContextRow | null; keep: (() => Promise<void>) | null }> {
    const load = () => this.sessions.findAccessContext(this.database.pool, sessionId);
    if (this.ttlSeconds === 0 || !Number.isSafeInteger(userId)) {
      return { context: await load(), keep: null };
    }
    const { answer, keep } = await this.cache.fetchUnkept(
      { key: `session:${sessionId}`, tags: [userAccessTag(userId)], ttlSeconds: this.ttlSeconds },
      async (): Promise<CachedAnswer> => {
        const row = await load();
        return row
          ? { found: true, json: JSON.stringify(row) }
          : { found: false, message: NO_SESSION };
      },
    );
    if (!answer.found) return { context: null, keep };
    const row = JSON.parse(answer.json) as AccessContextRow & { expires_at: string };
    return { context: { ...row, expires_at: new Date(row.expires_at) }, keep };
  }

  /** After a change to the user's logins or account has committed. */
  forget(userId: number): Promise<void> {
    return this.cache.invalidate([userAccessTag(userId)]);
  }
}
