/**
 * Duplicate suppression for callbacks: the first claim of a key wins, later ones within
 * the TTL are duplicates. The interface is async so shared stores (Redis) can implement it.
 */
export interface DedupeStore {
  /** True when this is the first claim of `key` within `ttlMs`. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Forgets a claim, e.g. when the message could not be handed on. */
  release(key: string): Promise<void>;
}

/** In-process store: Map insertion order doubles as expiry order, so pruning is cheap. */
export class MemoryDedupeStore implements DedupeStore {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    this.prune(now);
    const expires = this.entries.get(key);
    if (expires !== undefined && expires > now) return Promise.resolve(false);
    this.entries.delete(key);
    this.entries.set(key, now + ttlMs);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve(true);
  }

  release(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    for (const [key, expires] of this.entries) {
      if (expires > now) break;
      this.entries.delete(key);
    }
  }
}
