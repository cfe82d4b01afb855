/**
 * The watch list as stored between restarts: plain JSON in whatever key-value store the node
 * is given (a persistent Node-RED context store keeps it across restarts). Read back
 * defensively: a store edited by hand or by an older version loses only the bad entries.
 */
import { isState, REASONS } from '../status';
import type { Reason } from '../status';
import type { KeyValueStore } from '../dedupe/context';
import { getterFor } from './targets';
import type { WatchEntry } from './schedule';

export interface SavedEntry {
  target: WatchEntry['target'];
  observed: WatchEntry['observed'];
  startedAt: number;
  deadline: number;
}

export const SAVED_VERSION = 1;

export function toSaved(entries: readonly WatchEntry[]): { version: number; entries: SavedEntry[] } {
  return { version: SAVED_VERSION, entries: entries.map(({ target, observed, startedAt, deadline }) => ({ target, observed, startedAt, deadline })) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readEntry(value: unknown): SavedEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { target, observed, startedAt, deadline } = value as Record<string, unknown>;
  if (typeof target !== 'object' || target === null || typeof startedAt !== 'number' || typeof deadline !== 'number') return undefined;
  const t = target as Record<string, unknown>;
  const provider = text(t.provider);
  const resource = text(t.resource);
  const id = text(t.id);
  if (!provider || !resource || !id || !getterFor({ provider, resource })) return undefined;
  const channelId = text(t.channelId);
  let seen: SavedEntry['observed'];
  if (observed !== undefined && observed !== null) {
    const o = observed as Record<string, unknown>;
    if (!isState(o.state)) return undefined;
    const reason = (REASONS as readonly unknown[]).includes(o.reason) ? (o.reason as Reason) : null;
    seen = { state: o.state, reason };
  }
  return { target: { provider, resource, id, ...(channelId ? { channelId } : {}) }, observed: seen, startedAt, deadline };
}

/** The saved entries that still make sense; anything else in the store is ignored. */
export function fromSaved(value: unknown): SavedEntry[] {
  const entries = (value as { entries?: unknown } | null | undefined)?.entries;
  if (!Array.isArray(entries)) return [];
  return entries.map(readEntry).filter((e): e is SavedEntry => e !== undefined);
}

/**
 * Writes the latest list, one write at a time: changes while a write is out are folded into
 * the next one, so a thousand state changes never queue a thousand writes.
 */
export class ListSaver {
  private writing = false;
  private pending: (() => unknown) | undefined;
  private idle: Array<() => void> = [];

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  load(): Promise<SavedEntry[]> {
    return this.store.get(this.key).then(fromSaved);
  }

  /** Saves what `snapshot` returns when the store is free (the latest list wins). */
  save(snapshot: () => unknown): void {
    this.pending = snapshot;
    if (!this.writing) void this.drain();
  }

  /** Resolves once every requested save is written (close waits for it). */
  flushed(): Promise<void> {
    if (!this.writing && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending) {
      const snapshot = this.pending;
      this.pending = undefined;
      try {
        await this.store.set(this.key, snapshot());
      } catch (err) {
        this.onError(err);
      }
    }
    this.writing = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
