import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Result } from 'ioredis';
import { withTimeout } from '../../common/async/with-timeout.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import type { RedisClient } from '../../infra/redis/redis.factory.js';
import { slotGroup } from '../../infra/redis/redis-keys.js';
import { InjectRedis } from '../../infra/redis/redis.tokens.js';
import type { FlashSaleLedger, FlashSaleRow } from './flash-sales.repository.js';
import { parseVerdict, type GateVerdict } from './flash-sale-rules.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    shopFlashSaleAttempt(numKeys: number, ...args: string[]): Result<unknown[], Context>;
    shopFlashSaleRelease(numKeys: number, ...args: string[]): Result<number, Context>;
    shopFlashSaleGiveBack(numKeys: number, ...args: string[]): Result<number, Context>;
    shopFlashSaleLoad(numKeys: number, ...args: string[]): Result<number, Context>;
    shopFlashSaleRead(numKeys: number, ...args: string[]): Result<string[], Context>;
  }
}

/*
 * Keys of one sale, all in one hash tag (one Cluster slot): KEYS[1] the "initialised" marker
 * (a random token per rebuild), KEYS[2] the sale's hash (remaining, limit, window, the fields a
 * read shows), KEYS[3] the units each customer holds, KEYS[4] the reservations whose orders are
 * being written (token -> "user:units"), KEYS[5] the rebuild lock. Times are Redis's clock, the
 * same for every replica.
 */

/**
 * ARGV: user, quantity, the attempt's token, its request's name (the customer's Idempotency-Key,
 * or empty). Decides one attempt and, for a win, reserves the units under the token (and, with
 * a name, marks the name taken until the reservation is confirmed or released: a copy of the
 * request sent meanwhile is 'busy' and reserves nothing); with an empty token it only tells what
 * it would decide, reserving nothing. Answers [verdict, units held before, limit, product, price].
 */
const ATTEMPT = `
if not redis.call('GET', KEYS[1]) or redis.call('EXISTS', KEYS[2]) == 0 then return {'rebuild'} end
local s = redis.call('HMGET', KEYS[2], 'missing', 'remaining', 'limit', 'starts', 'ends', 'ended',
  'product', 'price')
if s[1] == '1' then return {'missing'} end
if ARGV[4] ~= '' and redis.call('HEXISTS', KEYS[4], 'k:' .. ARGV[4]) == 1 then return {'busy'} end
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
local function answer(verdict) return {verdict, held, s[3], s[7], s[8]} end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if s[6] == '1' or now < tonumber(s[4]) or now >= tonumber(s[5]) then return answer('inactive') end
local quantity = tonumber(ARGV[2])
if held + quantity > tonumber(s[3]) then return answer('limited') end
if tonumber(s[2]) < quantity then return answer('sold_out') end
if ARGV[3] == '' then return answer('won') end
redis.call('HINCRBY', KEYS[2], 'remaining', -quantity)
redis.call('HINCRBY', KEYS[3], ARGV[1], quantity)
redis.call('HSET', KEYS[4], ARGV[3], ARGV[1] .. ':' .. ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], 'k:' .. ARGV[4], ARGV[3]) end
redis.call('PEXPIRE', KEYS[4], math.max(redis.call('PTTL', KEYS[2]), 1000))
return answer('won')
`;

/**
 * ARGV: a token, its request's name (or empty). Gives its reservation back (its order was not
 * written), once: a token that reserved nothing, was released already, or belongs to counters
 * since rebuilt (they were read from PostgreSQL, which never saw it) changes nothing, and frees
 * the name only if this token took it. Sent after the attempt on the same connection, so it also
 * undoes an attempt whose answer was lost.
 */
const RELEASE = `
if ARGV[2] ~= '' and redis.call('HGET', KEYS[4], 'k:' .. ARGV[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[4], 'k:' .. ARGV[2])
end
local hold = redis.call('HGET', KEYS[4], ARGV[1])
if not hold then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
local sep = string.find(hold, ':', 1, true)
local user = string.sub(hold, 1, sep - 1)
local units = tonumber(string.sub(hold, sep + 1))
redis.call('HINCRBY', KEYS[2], 'remaining', units)
if redis.call('HINCRBY', KEYS[3], user, -units) <= 0 then redis.call('HDEL', KEYS[3], user) end
return 1
`;

/** ARGV: user, units. A cancelled order's units back to the counters, if they are there. */
const GIVE_BACK = `
if not redis.call('GET', KEYS[1]) or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], 'remaining', ARGV[2])
if redis.call('HINCRBY', KEYS[3], ARGV[1], -tonumber(ARGV[2])) <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return 1
`;

/**
 * ARGV: the lock's token (the new marker), expiry (unix ms), n, n field/value pairs of the sale,
 * then user/units pairs. Replaces the counters, only while the caller still holds the lock and
 * they are still missing: a caller that saw them missing may take the lock only after another
 * rebuilt them, and attempts since have reserved units PostgreSQL does not know of yet.
 */
const LOAD = `
if redis.call('GET', KEYS[5]) ~= ARGV[1] then return 0 end
if redis.call('GET', KEYS[1]) and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[5])
  return 0
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
local n = tonumber(ARGV[3])
for i = 4, 3 + 2 * n, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 4 + 2 * n, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[1], ARGV[1])
for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[2]) end
redis.call('DEL', KEYS[5])
return 1
`;

/** The sale's hash, or nothing when the counters need a rebuild. */
const READ = `
if not redis.call('GET', KEYS[1]) then return {} end
return redis.call('HGETALL', KEYS[2])
`;

/** Redis must answer within this, or the gate counts as unavailable (a 503, never a guess). */
const GATE_TIMEOUT_MS = 1000;
/** How long one rebuild may hold the lock. */
const REBUILD_LOCK_MS = 5000;
/** How long the counters of a sale that does not exist are kept (its 404s read nothing). */
const MISSING_TTL_MS = 60_000;
/** How long counters outlive their sale's end. */
const AFTER_END_TTL_MS = 24 * 3600 * 1000;

/** The sale as the gate keeps it: what its reads show, live. */
export type GateSale = Omit<FlashSaleRow, 'settled_at'>;

/**
 * The gate of flash sales in Redis: one Lua script decides each attempt (not active, sold out,
 * over the customer's limit, or won with the units reserved) atomically, so a crowd is answered
 * without PostgreSQL. The counters are a copy of PostgreSQL's (the truth, which refuses anything
 * the gate got wrong); when they are missing they are rebuilt from it (rebuild).
 */
@Injectable()
export class FlashSaleGate {
  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    redis.defineCommand('shopFlashSaleAttempt', { lua: ATTEMPT });
    redis.defineCommand('shopFlashSaleRelease', { lua: RELEASE });
    redis.defineCommand('shopFlashSaleGiveBack', { lua: GIVE_BACK });
    redis.defineCommand('shopFlashSaleLoad', { lua: LOAD });
    redis.defineCommand('shopFlashSaleRead', { lua: READ });
  }

  /** The sale's keys, in one slot: {<prefix>:fs:<id>}:init|sale|users|holds|lock. */
  keys(saleId: number): [string, string, string, string, string] {
    const tag = slotGroup(this.config.redis.prefix, `fs:${saleId}`);
    return ['init', 'sale', 'users', 'holds', 'lock'].map((name) => `${tag}:${name}`) as [
      string,
      string,
      string,
      string,
      string,
    ];
  }

  /**
   * One attempt; a win reserves the units under `token` (see release and confirm). `name`
   * names its request (see ATTEMPT): while a reservation under that name is being written,
   * another attempt of that name is 'busy'.
   */
  async attempt(
    saleId: number,
    userId: number,
    quantity: number,
    token: string,
    name = '',
  ): Promise<GateVerdict> {
    const [init, sale, users, holds] = this.keys(saleId);
    const reply = await this.run(
      this.redis.shopFlashSaleAttempt(
        4,
        ...[init, sale, users, holds],
        ...[String(userId), String(quantity), token, name],
      ),
    );
    return parseVerdict(reply);
  }

  /** What `attempt` would decide now, reserving nothing ('won': it would not refuse). */
  async peek(saleId: number, userId: number, quantity: number): Promise<GateVerdict> {
    return this.attempt(saleId, userId, quantity, '');
  }

  /** Gives the reservation of `token` back, if it made one: its order was not written. */
  async release(saleId: number, token: string, name = ''): Promise<void> {
    const [init, sale, users, holds] = this.keys(saleId);
    await this.run(this.redis.shopFlashSaleRelease(4, init, sale, users, holds, token, name));
  }

  /** The reservation of `token` became an order: the counters keep its units. */
  async confirm(saleId: number, token: string, name = ''): Promise<void> {
    const holds = this.keys(saleId)[3];
    await this.run(
      name === '' ? this.redis.hdel(holds, token) : this.redis.hdel(holds, token, `k:${name}`),
    );
  }

  /** A cancelled or expired order's units, back to the counters if they are there. */
  async giveBack(saleId: number, userId: number, units: number): Promise<void> {
    const [init, sale, users] = this.keys(saleId);
    await this.run(
      this.redis.shopFlashSaleGiveBack(3, init, sale, users, String(userId), String(units)),
    );
  }

  /** The sale as the gate has it; null when its counters need a rebuild; 'missing' for no sale. */
  async read(saleId: number): Promise<GateSale | 'missing' | null> {
    const [init, sale] = this.keys(saleId);
    const flat = await this.run(this.redis.shopFlashSaleRead(2, init, sale));
    if (flat.length === 0) return null;
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2)
      fields.set(flat[i] as string, flat[i + 1] as string);
    if (fields.get('missing') === '1') return 'missing';
    const num = (name: string): number => Number(fields.get(name));
    return {
      id: saleId,
      product_id: num('product'),
      price: fields.get('price') ?? '0',
      quantity: num('quantity'),
      remaining: num('remaining'),
      per_user_limit: num('limit'),
      starts_at: new Date(num('starts')),
      ends_at: new Date(num('ends')),
      ended_at: fields.get('ended') === '1' ? new Date(num('ended_ms')) : null,
    };
  }

  /** Drops the counters: the next attempt rebuilds them from PostgreSQL. */
  async forget(saleId: number): Promise<void> {
    const [init, sale, users, holds] = this.keys(saleId);
    await this.run(this.redis.del(init, sale, users, holds));
  }

  /**
   * Rebuilds the counters from what `read` (PostgreSQL) answers, by one caller at a time: the
   * others wait until the counters are back (or the lock lapses). Resolves once the counters
   * exist, whoever rebuilt them.
   */
  async rebuild(saleId: number, read: () => Promise<FlashSaleLedger | null>): Promise<void> {
    const [init, sale, users, holds, lock] = this.keys(saleId);
    const token = randomUUID();
    const locked = await this.run(this.redis.set(lock, token, 'PX', REBUILD_LOCK_MS, 'NX'));
    if (locked !== 'OK') {
      await this.untilRebuilt(init, lock);
      return;
    }
    const ledger = await read();
    const { fields, expireAt } = ledger ? gateFields(ledger) : missingFields();
    const holders = ledger
      ? ledger.holders.flatMap(([user, units]) => [String(user), String(units)])
      : [];
    await this.run(
      this.redis.shopFlashSaleLoad(
        5,
        ...[init, sale, users, holds, lock],
        token,
        String(expireAt),
        String(fields.length / 2),
        ...fields,
        ...holders,
      ),
    );
  }

  /**
   * Until the counters exist or nobody holds the lock any more: a rebuild whose counters were
   * dropped again at once (the sale ended or was deleted meanwhile) is over too, and the caller
   * asks the gate again, rebuilding itself if need be, instead of waiting out the lock.
   */
  private async untilRebuilt(init: string, lock: string): Promise<void> {
    const deadline = Date.now() + REBUILD_LOCK_MS;
    while (Date.now() < deadline) {
      const [initialised, locked] = await this.run(this.redis.mget(init, lock));
      if (initialised !== null || locked === null) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private run<T>(command: Promise<T>): Promise<T> {
    return withTimeout(command, GATE_TIMEOUT_MS);
  }
}

function gateFields({ sale }: FlashSaleLedger): { fields: string[]; expireAt: number } {
  const ended = sale.ended_at !== null || sale.settled_at !== null;
  const endedAt = sale.ended_at ?? sale.settled_at;
  return {
    fields: [
      ...['product', String(sale.product_id), 'price', sale.price],
      ...['quantity', String(sale.quantity), 'remaining', String(sale.remaining)],
      ...['limit', String(sale.per_user_limit)],
      ...['starts', String(sale.starts_at.getTime()), 'ends', String(sale.ends_at.getTime())],
      ...['ended', ended ? '1' : '0', 'ended_ms', String(endedAt?.getTime() ?? 0)],
    ],
    expireAt: Math.max(sale.ends_at.getTime(), Date.now()) + AFTER_END_TTL_MS,
  };
}

const missingFields = (): { fields: string[]; expireAt: number } => ({
  fields: ['missing', '1'],
  expireAt: Date.now() + MISSING_TTL_MS,
});
