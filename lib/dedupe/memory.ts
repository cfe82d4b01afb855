/** In-process duplicate store: one Node-RED runtime, forgotten on restart. */
import type { DedupeClaim, DedupeStore } from './types';

interface Entry {
  expires: number;
}

/** Map insertion order doubles as expiry order (one TTL per store user), so pruning is cheap. */
export class MemoryDedupeStore implements DedupeStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  claim(key: string, ttlMs: number): Promise<DedupeClaim | undefined> {
    const now = this.now();
    this.prune(now);
    const existing = this.entries.get(key);
    if (existing !== undefined && existing.expires > now) return Promise.resolve(undefined);
    const entry: Entry = { expires: now + ttlMs };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve({
      release: () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        return Promise.resolve();
      },
    });
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expires > now) break;
      this.entries.delete(key);
    }
  }
}
