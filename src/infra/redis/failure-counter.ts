import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DomainError } from '../../common/errors/domain-error.js';
import { withTimeout } from '../../common/async/with-timeout.js';

/**
 * Redis must answer within this, or the counter fails open or closed (see options). Failing
 * open lets the attempt through, so it waits little; failing closed refuses it, so a Redis
 * that is only slow (a busy moment) gets longer before a right password is refused too.
 */
export const FAILURE_COUNTER_TIMEOUT_MS = { failingOpen: 150, failingClosed: 1000 } as const;

/** If any key is at the limit: the longest of their seconds to wait; otherwise 0. */
const LOCKED = `
local wait = 0
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then redis.call('EXPIRE', key, ARGV[2]); ttl = tonumber(ARGV[2]) end
    if ttl > wait then wait = ttl end
  end
end`;

const LOCKED_FOR = `${LOCKED}
return wait`;

/**
 * If any key is at the limit: its seconds to wait (nothing counted). Otherwise every key counts
 * one attempt, its window starting with its first attempt, and the answer is 0.
 */
const ATTEMPT = `${LOCKED}
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[2]) end
end
return 0`;

/**
 * An attempt that succeeded is not a failure: take it back (never below zero, TTL kept). A
 * counter that holds no failure any more is deleted, so its window did not start at a success:
 * the next failure starts a whole window of its own.
 */
const SUCCEEDED = `
for _, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 1 then redis.call('DECR', key) elseif count == 1 then redis.call('DEL', key) end
end
return 0`;

export interface FailureCounterOptions {
  /** The deployment's key prefix (REDIS_PREFIX). */
  prefix: string;
  /** What is counted, e.g. "auth-failures"; keys are <prefix>:{<scope>}:<hash of identity>. */
  scope: string;
  /** Failures per window after which attempts are refused until the window ends. */
  max: number;
  windowSeconds: number;
  /** Redis unreachable: let attempts through (true), or refuse them with 503 (false). */
  failOpen: boolean;
  /** Named in the log line when Redis is unreachable. */
  name: string;
}

export interface Attempt {
  /** Seconds until the window of a locked key ends; 0: go ahead. */
  waitSeconds: number;
  /** The keys this attempt was counted under (none when locked, or Redis failed open). */
  keys: readonly string[];
}

/**
 * Failed attempts per identity (an account name, a client address) in fixed windows, in Redis.
 * For a slow check (a password hash) every attempt is counted before it is tried and taken back
 * when it succeeds (`attempt`, `succeeded`), so a burst of concurrent guesses cannot all pass
 * the check before the first failure is recorded. A check that answers at once may count only
 * its failures (`attempt` after it failed) and ask `lockedFor` on success. Keys are hashes of
 * the identity (bounded size, nothing personal in Redis) and always carry a TTL.
 */
export class FailureCounter {
  private readonly logger: Logger;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: FailureCounterOptions,
  ) {
    this.logger = new Logger(options.name);
  }

  async attempt(identities: readonly string[]): Promise<Attempt> {
    const keys = [...new Set(identities)].map((identity) => this.key(identity));
    const { max, windowSeconds } = this.options;
    const wait = await this.run(
      () => this.redis.eval(ATTEMPT, keys.length, ...keys, max, windowSeconds),
      !this.options.failOpen,
    );
    if (wait === undefined) return { waitSeconds: 0, keys: [] };
    const waitSeconds = Number(wait);
    return { waitSeconds, keys: waitSeconds > 0 ? [] : keys };
  }

  /** Seconds until every locked key's window ends (0: none is locked); counts nothing. */
  async lockedFor(identities: readonly string[]): Promise<number> {
    const keys = [...new Set(identities)].map((identity) => this.key(identity));
    const { max, windowSeconds } = this.options;
    const wait = await this.run(
      () => this.redis.eval(LOCKED_FOR, keys.length, ...keys, max, windowSeconds),
      !this.options.failOpen,
    );
    return wait === undefined ? 0 : Number(wait);
  }

  async succeeded(attempt: Attempt): Promise<void> {
    if (attempt.keys.length === 0) return;
    // Only bookkeeping: a lost take-back counts one failure too many, it refuses nobody now.
    await this.run(() => this.redis.eval(SUCCEEDED, attempt.keys.length, ...attempt.keys), false);
  }

  private key(identity: string): string {
    const digest = createHash('sha256').update(identity).digest('base64url');
    // One hash tag per counter: the keys of one script share a slot on a Redis Cluster.
    return `${this.options.prefix}:{${this.options.scope}}:${digest}`;
  }

  private async run(command: () => Promise<unknown>, failClosed: boolean): Promise<unknown> {
    try {
      const result = await withTimeout(
        command(),
        FAILURE_COUNTER_TIMEOUT_MS[failClosed ? 'failingClosed' : 'failingOpen'],
      );
      if (this.failing) this.logger.log('Failure counting back in effect');
      this.failing = false;
      return result;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          `Failure counting suspended, Redis unavailable: ${(error as Error).message}`,
        );
      }
      this.failing = true;
      if (!failClosed) return undefined;
      throw new DomainError('unavailable', 'Service temporarily unavailable, please retry');
    }
  }
}
