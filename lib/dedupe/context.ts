/**
 * Duplicate store over a key-value store with only get/set/keys, such as a Node-RED
 * context store (`localfilesystem` keeps claims across restarts). Such stores have no
 * atomic "set if absent", so every operation on one store object runs strictly one after
 * another: within one process two claims of a key can never both see it free. Across
 * processes sharing the underlying store there is no such guarantee (use Redis for that).
 * Expiry is ours: each entry holds its deadline, and expired entries are pruned now and then.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DEFAULT_DEDUPE_TTL } from './types';
import type { ClaimResult, DedupeStore, DedupeTtl } from './types';

export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  /** Setting undefined deletes the key. */
  set(key: string, value: unknown): Promise<void>;
  keys(): Promise<string[]>;
}

export interface ContextDedupeOptions {
  /** Prefix of the store keys this store writes; every other key is left alone. */
  prefix?: string;
  now?: () => number;
  ttl?: DedupeTtl;
  /** At most one prune of expired entries per this interval, run after a claim. */
  pruneEveryMs?: number;
  onPruneError?: (err: unknown) => void;
}

interface StoredClaim {
  expires: number;
  token: string;
  /** Absent in entries written before the two-step claim: those were only written once delivered. */
  done?: boolean;
}

function asClaim(value: unknown): StoredClaim | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { expires, token, done } = value as Partial<StoredClaim>;
  return typeof expires === 'number' && typeof token === 'string' ? { expires, token, done: done !== false } : undefined;
}

export class ContextDedupeStore implements DedupeStore {
  private tail: Promise<void> = Promise.resolve();
  private lastPrune = Number.NEGATIVE_INFINITY;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly pruneEveryMs: number;
  private readonly ttl: DedupeTtl;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: ContextDedupeOptions = {},
  ) {
    this.prefix = options.prefix ?? 'paywire_dedupe_';
    this.now = options.now ?? Date.now;
    this.pruneEveryMs = options.pruneEveryMs ?? 10 * 60 * 1000;
    this.ttl = options.ttl ?? DEFAULT_DEDUPE_TTL;
  }

  claim(key: string): Promise<ClaimResult> {
    const name = this.nameOf(key);
    const claimed = this.exclusive(async (): Promise<ClaimResult> => {
      const now = this.now();
      const current = asClaim(await this.kv.get(name));
      if (current && current.expires > now) return current.done ? { state: 'done' } : { state: 'inflight' };
      const token = randomUUID();
      await this.kv.set(name, { expires: now + this.ttl.inflightMs, token, done: false } satisfies StoredClaim);
      return { state: 'claimed', token };
    });
    this.maybePrune();
    return claimed;
  }

  markDone(key: string, token: string): Promise<boolean> {
    const name = this.nameOf(key);
    return this.exclusive(async () => {
      if (!this.isOwnInflight(asClaim(await this.kv.get(name)), token)) return false;
      await this.kv.set(name, { expires: this.now() + this.ttl.doneMs, token, done: true } satisfies StoredClaim);
      return true;
    });
  }

  release(key: string, token: string): Promise<void> {
    const name = this.nameOf(key);
    return this.exclusive(async () => {
      if (this.isOwnInflight(asClaim(await this.kv.get(name)), token)) await this.kv.set(name, undefined);
    });
  }

  /** Deletes every expired entry of this store (also run automatically). */
  prune(): Promise<number> {
    return this.exclusive(async () => {
      const now = this.now();
      let removed = 0;
      for (const name of await this.kv.keys()) {
        if (!name.startsWith(this.prefix)) continue;
        const entry = asClaim(await this.kv.get(name));
        if (entry && entry.expires > now) continue;
        await this.kv.set(name, undefined);
        removed++;
      }
      return removed;
    });
  }

  private isOwnInflight(claim: StoredClaim | undefined, token: string): boolean {
    return claim !== undefined && !claim.done && claim.token === token && claim.expires > this.now();
  }

  /** Key names are hashed: callback identities may hold characters context keys treat as paths. */
  private nameOf(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('hex');
  }

  private maybePrune(): void {
    const now = this.now();
    if (now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    this.prune().catch((err: unknown) => this.options.onPruneError?.(err));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
