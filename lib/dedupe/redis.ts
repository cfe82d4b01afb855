/**
 * Duplicate store in Redis, shared by every Node-RED instance behind one load balancer. Each
 * step is one Lua script, atomic in Redis. A key holds `f:<token>` while in flight (short TTL)
 * and `d:<token>` once done (long TTL); the token is chosen here, so a step that runs twice
 * (resent after a reconnect) does the same thing twice, and a late claim can only ever create a
 * short in-flight record. Values without a prefix were written before the two-step claim, when
 * a claim was only kept once delivered: they count as done.
 *
 * A claim whose reply never came may still have run. Its token is known, so it is released
 * right away, and again whenever Redis is reachable, until that is confirmed: the gateway's
 * next retry finds the key free instead of waiting for the in-flight TTL.
 */
import { randomUUID } from 'node:crypto';
import type { LuaScript, RedisScripting } from '../redis-connection/connection';
import { DEFAULT_DEDUPE_TTL } from './types';
import type { ClaimResult, DedupeStore, DedupeTtl } from './types';

export const DEDUPE_SCRIPTS = {
  claim: {
    name: 'paywireDedupeClaim',
    keys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
local mine = 'f:' .. ARGV[1]
if not v then
  redis.call('SET', KEYS[1], mine, 'PX', ARGV[2])
  return {'claimed', ARGV[1]}
end
if v == mine then return {'claimed', ARGV[1]} end
if string.sub(v, 1, 2) == 'f:' then return {'inflight', ARGV[1]} end
return {'done', ARGV[1]}`,
  },
  markDone: {
    name: 'paywireDedupeMarkDone',
    keys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if v == 'd:' .. ARGV[1] then return {1, ARGV[1]} end
if v ~= 'f:' .. ARGV[1] then return {0, ARGV[1]} end
redis.call('SET', KEYS[1], 'd:' .. ARGV[1], 'PX', ARGV[2])
return {1, ARGV[1]}`,
  },
  release: {
    name: 'paywireDedupeRelease',
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == 'f:' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return {ARGV[1]}`,
  },
} as const satisfies Record<string, LuaScript>;

/** Bound on remembered unconfirmed releases, should Redis stay away for a long time. */
const MAX_PENDING_RELEASES = 10_000;

export class RedisDedupeStore implements DedupeStore {
  /** Claims that may exist without anyone emitting, by Redis key and token. */
  private readonly pending = new Map<string, { redisKey: string; token: string }>();

  constructor(
    private readonly redis: RedisScripting,
    private readonly prefix = 'paywire:dedupe:',
    private readonly ttl: DedupeTtl = DEFAULT_DEDUPE_TTL,
  ) {}

  /** Claims whose release is not confirmed yet. */
  get pendingReleases(): number {
    return this.pending.size;
  }

  async claim(key: string): Promise<ClaimResult> {
    const redisKey = this.prefix + key;
    const token = randomUUID();
    let reply: unknown[];
    try {
      reply = await this.redis.run(DEDUPE_SCRIPTS.claim, [redisKey], token, [String(this.ttl.inflightMs)]);
    } catch (err) {
      this.releaseQuietly(redisKey, token);
      throw err;
    }
    const state = reply[0];
    if (state === 'claimed') return { state, token };
    if (state === 'inflight' || state === 'done') return { state };
    throw new Error(`Redis answered the claim with ${JSON.stringify(state)}`);
  }

  async markDone(key: string, token: string): Promise<boolean> {
    const reply = await this.redis.run(DEDUPE_SCRIPTS.markDone, [this.prefix + key], token, [String(this.ttl.doneMs)]);
    return reply[0] === 1;
  }

  async release(key: string, token: string): Promise<void> {
    const redisKey = this.prefix + key;
    try {
      await this.redis.run(DEDUPE_SCRIPTS.release, [redisKey], token);
      this.pending.delete(`${redisKey}\n${token}`);
    } catch (err) {
      this.remember(redisKey, token);
      throw err;
    }
  }

  /** Sends every unconfirmed release again; call when the connection is (back) up. */
  retryReleases(): void {
    for (const { redisKey, token } of [...this.pending.values()]) this.releaseQuietly(redisKey, token);
  }

  private releaseQuietly(redisKey: string, token: string): void {
    // Compare-and-delete is idempotent: sending it again is always safe.
    this.remember(redisKey, token);
    this.redis.run(DEDUPE_SCRIPTS.release, [redisKey], token).then(
      () => this.pending.delete(`${redisKey}\n${token}`),
      () => undefined,
    );
  }

  private remember(redisKey: string, token: string): void {
    const id = `${redisKey}\n${token}`;
    if (this.pending.size >= MAX_PENDING_RELEASES && !this.pending.has(id)) return;
    this.pending.set(id, { redisKey, token });
  }
}
