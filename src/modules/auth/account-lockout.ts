import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { rateLimited } from '../../common/errors/domain-error.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { FailureCounter, type Attempt } from '../../infra/redis/failure-counter.js';
import { REDIS } from '../../infra/redis/redis.tokens.js';

const LOCKED =
  'Too many failed sign-ins for this account; retry after the number of seconds in Retry-After';

/** How a login name is counted: the same name in any case or padding is one name. */
const normalise = (name: string): string => name.trim().toLowerCase();

/**
 * Failed password checks per account name (AUTH_MAX_FAILURES per AUTH_FAILURE_WINDOW), from
 * any address. Counted by the name tried, never by whether an account has it: an unknown name
 * is counted and locked exactly like a known one, so the answers tell nothing about existence.
 * Redis unreachable: counting is suspended (fail open), like the rate limits.
 */
@Injectable()
export class AccountLockout {
  private readonly failures: FailureCounter;

  constructor(@Inject(REDIS) redis: Redis, @InjectConfig() config: AppConfig) {
    this.failures = new FailureCounter(redis, {
      prefix: config.redis.prefix,
      scope: 'auth-failures',
      max: config.accountLockout.maxFailures,
      windowSeconds: config.accountLockout.window,
      failOpen: true,
      name: 'AccountLockout',
    });
  }

  /**
   * Counts a password check under each of the account's names before it runs; throws the 429
   * when one of them is locked. Call `succeeded` when the password was right.
   */
  async attempt(names: readonly string[]): Promise<Attempt> {
    const attempt = await this.failures.attempt(names.map(normalise));
    if (attempt.waitSeconds > 0) throw rateLimited(LOCKED, attempt.waitSeconds);
    return attempt;
  }

  succeeded(attempt: Attempt): Promise<void> {
    return this.failures.succeeded(attempt);
  }
}
