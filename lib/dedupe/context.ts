/**
 * Duplicate store over a key-value store with only get/set/keys, such as a Node-RED
 * context store (`localfilesystem` keeps claims across restarts). Such stores have no
 * atomic "set if absent", so every operation on one store object runs strictly one after
 * another: within one process two claims of a key can never both see it free. Across
 * processes sharing the underlying store there is no such guarantee (use Redis for that).
 * Expiry is ours: each entry holds its deadline, and expired entries are pruned now and then.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DedupeClaim, DedupeStore } from './types';

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
  /** At most one prune of expired entries per this interval, run after a claim. */
  pruneEveryMs?: number;
  onPruneError?: (err: unknown) => void;
}

interface StoredClaim {
  expires: number;
  token: string;
}

function asClaim(value: unknown): StoredClaim | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { expires, token } = value as Partial<StoredClaim>;
  return typeof expires === 'number' && typeof token === 'string' ? { expires, token } : undefined;
}

export class ContextDedupeStore implements DedupeStore {
  private tail: Promise<void> = Promise.resolve();
  private lastPrune = Number.NEGATIVE_INFINITY;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly pruneEveryMs: number;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: ContextDedupeOptions = {},
  ) {
    this.prefix = options.prefix ?? 'paywire_dedupe_';
    this.now = options.now ?? Date.now;
    this.pruneEveryMs = options.pruneEveryMs ?? 10 * 60 * 1000;
  }

  claim(key: string, ttlMs: number): Promise<DedupeClaim | undefined> {
    const name = this.nameOf(key);
    const claimed = this.exclusive(async () => {
      const now = this.now();
      const current = asClaim(await this.kv.get(name));
      if (current && current.expires > now) return undefined;
      const token = randomUUID();
      await this.kv.set(name, { expires: now + ttlMs, token });
      return token;
    });
    this.maybePrune();
    return claimed.then((token) => (token === undefined ? undefined : { release: () => this.release(name, token) }));
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

  private release(name: string, token: string): Promise<void> {
    return this.exclusive(async () => {
      if (asClaim(await this.kv.get(name))?.token === token) await this.kv.set(name, undefined);
    });
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
