/**
 * When each watched object is asked for next: pure bookkeeping over a time the caller passes
 * in, so minutes of polling are tested in microseconds. Polls go one at a time and at least
 * `spacing` apart: N objects are spread evenly over the interval, and never faster than the
 * watch's share of the gateway's rate limit, so a thousand objects are a steady trickle, never
 * a burst. An object whose poll failed backs off on its own; a 429 pauses every poll.
 */
import { targetKey } from './targets';
import type { Observed, WatchTarget } from './targets';

export interface ScheduleSettings {
  /** How often each object is asked for, at most. */
  intervalMs: number;
  /** How long an object is watched before watch_timeout. */
  timeoutMs: number;
  /** Least time between the starts of two polls (the rate-limit share); 0 = only the interval spreads them. */
  minSpacingMs: number;
  /** Longest wait after failures. */
  maxBackoffMs: number;
}

/** The part of the gateway's rate limit polls may use: the rest stays for the flow's own requests. */
export const WATCH_SHARE_OF_RATE_LIMIT = 0.5;

/** Least time between two polls under a rate limit of `limit` per `windowMs` (undefined: no limit). */
export function spacingUnder(rateLimit: { limit: number; windowMs: number } | undefined): number {
  if (!rateLimit || !(rateLimit.limit > 0)) return 0;
  return rateLimit.windowMs / Math.max(1, Math.floor(rateLimit.limit * WATCH_SHARE_OF_RATE_LIMIT));
}

export interface WatchEntry {
  key: string;
  target: WatchTarget;
  /** Last state seen or handed in; undefined until the first answer when the message had none. */
  observed: Observed | undefined;
  startedAt: number;
  deadline: number;
  nextPollAt: number;
  /** Polls failed in a row. */
  failures: number;
}

export type PollOutcome = { kind: 'answered' } | { kind: 'failed' } | { kind: 'rate_limited'; retryAt: number | undefined };

export type Next =
  | { kind: 'poll'; entry: WatchEntry }
  | { kind: 'timeout'; entry: WatchEntry }
  /** Nothing due before `at`. */
  | { kind: 'wait'; at: number }
  | { kind: 'idle' };

export class WatchSchedule {
  private readonly entries = new Map<string, WatchEntry>();
  private lastPollAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(readonly settings: ScheduleSettings) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): WatchEntry | undefined {
    return this.entries.get(key);
  }

  all(): WatchEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Starts watching; an object already watched keeps its place. Without a known state the
   * first poll is due at once (it still waits its turn), with one after an interval.
   */
  add(target: WatchTarget, observed: Observed | undefined, now: number): { entry: WatchEntry; added: boolean } {
    const key = targetKey(target);
    const existing = this.entries.get(key);
    if (existing) return { entry: existing, added: false };
    const entry: WatchEntry = {
      key,
      target,
      observed,
      startedAt: now,
      deadline: now + this.settings.timeoutMs,
      nextPollAt: observed ? now + this.settings.intervalMs : now,
      failures: 0,
    };
    this.entries.set(key, entry);
    return { entry, added: true };
  }

  /** Takes back an entry saved before a restart, due for a poll at once (its turn still applies). */
  restore(entry: Omit<WatchEntry, 'key' | 'nextPollAt' | 'failures'>, now: number): WatchEntry {
    const key = targetKey(entry.target);
    const restored: WatchEntry = { ...entry, key, nextPollAt: now, failures: 0 };
    this.entries.set(key, restored);
    return restored;
  }

  remove(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Least time between two poll starts now: the interval shared by all, or the rate-limit share if longer. */
  spacing(): number {
    return Math.max(this.settings.minSpacingMs, this.settings.intervalMs / Math.max(1, this.entries.size));
  }

  /** What to do at `now`: a timeout first, then the most overdue poll if its turn has come. */
  next(now: number): Next {
    let earliest: WatchEntry | undefined;
    let firstDeadline = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) {
      if (entry.deadline <= now) return { kind: 'timeout', entry };
      firstDeadline = Math.min(firstDeadline, entry.deadline);
      if (!earliest || entry.nextPollAt < earliest.nextPollAt) earliest = entry;
    }
    if (!earliest) return { kind: 'idle' };
    const turn = Math.max(earliest.nextPollAt, this.lastPollAt + this.spacing(), this.pausedUntil);
    if (turn <= now) return { kind: 'poll', entry: earliest };
    return { kind: 'wait', at: Math.min(turn, firstDeadline) };
  }

  /** When the next poll may start, for the status ("next in 12 s"); undefined when nothing is watched. */
  nextPollAt(): number | undefined {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) earliest = Math.min(earliest, entry.nextPollAt);
    if (earliest === Number.POSITIVE_INFINITY) return undefined;
    return Math.max(earliest, this.lastPollAt + this.spacing(), this.pausedUntil);
  }

  /** A poll of `entry` starts now: the next one waits its spacing from here. */
  started(entry: WatchEntry, now: number): void {
    this.lastPollAt = now;
    // Not picked again while this one is out, should the caller ask.
    entry.nextPollAt = now + this.settings.intervalMs;
  }

  /** How the poll ended; sets when this object is asked for next. */
  finished(entry: WatchEntry, outcome: PollOutcome, now: number): void {
    if (outcome.kind === 'answered') {
      entry.failures = 0;
      entry.nextPollAt = now + this.settings.intervalMs;
      return;
    }
    entry.failures += 1;
    entry.nextPollAt = now + this.backoff(entry.failures);
    if (outcome.kind === 'rate_limited') {
      // The gateway refused before acting: nobody polls until it takes requests again.
      this.pausedUntil = Math.max(this.pausedUntil, outcome.retryAt ?? now + this.settings.intervalMs);
    }
  }

  /** The interval doubled per failure in a row, capped: a failing gateway is asked less and less. */
  backoff(failures: number): number {
    const doubled = this.settings.intervalMs * 2 ** Math.min(failures, 20);
    return Math.min(this.settings.maxBackoffMs, Math.max(this.settings.intervalMs, doubled));
  }
}
