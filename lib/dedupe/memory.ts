/** In-process duplicate store: one Node-RED runtime, forgotten on restart. */
import { randomUUID } from 'node:crypto';
import { DEFAULT_DEDUPE_TTL } from './types';
import type { ClaimResult, DedupeStore, DedupeTtl } from './types';

interface Entry {
  key: string;
  expires: number;
  token: string;
  done: boolean;
}

/**
 * Claims in the order they were made or marked done, nearly expiry order (an in-flight entry
 * expires before the done entries ahead of it; it is then dropped when the front reaches it,
 * and a claim never takes an expired entry for live), so pruning and eviction take from the front. A plain array with a moving head, not the Map's own
 * order: V8 leaves a hole for every entry deleted from a Map until it rehashes, and iterating
 * from the front walks them all, so at the cap each claim cost O(entries) (200 µs at 300,000
 * claims into a 100,000-entry store; see test/lib/core.test.ts).
 */
class ClaimOrder {
  private items: Array<Entry | undefined> = [];
  private head = 0;

  push(entry: Entry): void {
    this.items.push(entry);
  }

  peek(): Entry | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.items[this.head] = undefined;
    this.head += 1;
    // Drop the consumed front once it is most of the array: amortised O(1) per claim.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Keeps only the entries `live` accepts (stale ones: released or claimed again). */
  compact(live: (entry: Entry) => boolean): void {
    this.items = this.items.slice(this.head).filter((e): e is Entry => e !== undefined && live(e));
    this.head = 0;
  }
}

export interface MemoryDedupeOptions {
  maxEntries?: number;
  now?: () => number;
  ttl?: DedupeTtl;
}

export class MemoryDedupeStore implements DedupeStore {
  private readonly entries = new Map<string, Entry>();
  private readonly order = new ClaimOrder();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly ttl: DedupeTtl;

  constructor(options: MemoryDedupeOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
    this.ttl = options.ttl ?? DEFAULT_DEDUPE_TTL;
  }

  claim(key: string): Promise<ClaimResult> {
    const now = this.now();
    this.prune(now);
    const existing = this.entries.get(key);
    if (existing !== undefined && existing.expires > now) return Promise.resolve(existing.done ? { state: 'done' } : { state: 'inflight' });
    const token = randomUUID();
    this.add({ key, expires: now + this.ttl.inflightMs, token, done: false });
    return Promise.resolve({ state: 'claimed', token });
  }

  markDone(key: string, token: string): Promise<boolean> {
    const entry = this.ownInflight(key, token);
    if (!entry) return Promise.resolve(false);
    this.add({ key, expires: this.now() + this.ttl.doneMs, token, done: true });
    return Promise.resolve(true);
  }

  release(key: string, token: string): Promise<void> {
    if (this.ownInflight(key, token)) this.entries.delete(key);
    return Promise.resolve();
  }

  get size(): number {
    return this.entries.size;
  }

  private ownInflight(key: string, token: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && !entry.done && entry.token === token && entry.expires > this.now() ? entry : undefined;
  }

  private add(entry: Entry): void {
    this.entries.set(entry.key, entry);
    this.order.push(entry);
    while (this.entries.size > this.maxEntries) this.dropOldest();
    // Released and replaced entries stay behind in the order; never let them outgrow the store.
    if (this.order.length > 2 * this.maxEntries) this.order.compact((e) => this.isLive(e));
  }

  private isLive(entry: Entry): boolean {
    return this.entries.get(entry.key) === entry;
  }

  /** Removes the oldest live claim (skipping stale ones on the way). */
  private dropOldest(): void {
    for (let entry = this.order.peek(); entry !== undefined; entry = this.order.peek()) {
      this.order.shift();
      if (this.isLive(entry)) {
        this.entries.delete(entry.key);
        return;
      }
    }
  }

  private prune(now: number): void {
    for (let entry = this.order.peek(); entry !== undefined; entry = this.order.peek()) {
      if (this.isLive(entry) && entry.expires > now) return;
      this.order.shift();
      if (this.isLive(entry)) this.entries.delete(entry.key);
    }
  }
}
