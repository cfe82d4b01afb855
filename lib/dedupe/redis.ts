/**
 * Duplicate store in Redis, shared by every Node-RED instance behind one load balancer:
 * a claim is `SET key token NX PX ttl`, atomic in Redis, so exactly one instance wins.
 * The value is a random token so a release (compare-and-delete in a script) only ever
 * frees our own claim. When a SET was sent but its reply was lost (timeout, dropped
 * connection) the claim may exist without anyone emitting the message; it is remembered
 * and released before the next command reaches Redis, so the gateway's retry is not
 * mistaken for a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { RedisUnavailableError } from '../redis/client';
import type { RespValue } from '../redis/resp';
import type { DedupeClaim, DedupeStore } from './types';

export interface RedisCommander {
  command(args: readonly string[]): Promise<RespValue>;
}

const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/** Bound on remembered uncertain claims, should Redis keep failing for a long time. */
const MAX_UNCERTAIN = 10_000;

export class RedisDedupeStore implements DedupeStore {
  /** Redis key → token of claims that may exist although we never heard back. */
  private readonly uncertain = new Map<string, string>();

  constructor(
    private readonly redis: RedisCommander,
    private readonly prefix = 'paywire:dedupe:',
  ) {}

  /** Claims whose outcome is unknown and still to be released. */
  get pendingReleases(): number {
    return this.uncertain.size;
  }

  async claim(key: string, ttlMs: number): Promise<DedupeClaim | undefined> {
    const redisKey = this.prefix + key;
    const token = randomUUID();
    // Issued first: commands run in order on the one connection, so these releases are
    // done before this SET is looked at.
    this.retryReleases();
    let reply: RespValue;
    try {
      reply = await this.redis.command(['SET', redisKey, token, 'NX', 'PX', String(Math.max(1, Math.round(ttlMs)))]);
    } catch (err) {
      if (err instanceof RedisUnavailableError && err.maybeExecuted) this.remember(redisKey, token);
      throw err;
    }
    if (reply === null) return undefined;
    if (reply !== 'OK') throw new Error(`Redis answered SET NX with ${JSON.stringify(reply)}`);
    return { release: () => this.release(redisKey, token) };
  }

  /** Sends every remembered release again; call when the connection is back. */
  retryReleases(): void {
    for (const [redisKey, token] of [...this.uncertain]) {
      this.uncertain.delete(redisKey);
      this.release(redisKey, token).catch(() => undefined);
    }
  }

  private async release(redisKey: string, token: string): Promise<void> {
    try {
      await this.redis.command(['EVAL', RELEASE_SCRIPT, '1', redisKey, token]);
    } catch (err) {
      // Compare-and-delete is idempotent, so trying again later is always safe.
      this.remember(redisKey, token);
      throw err;
    }
  }

  private remember(redisKey: string, token: string): void {
    if (this.uncertain.size >= MAX_UNCERTAIN && !this.uncertain.has(redisKey)) return;
    this.uncertain.set(redisKey, token);
  }
}
