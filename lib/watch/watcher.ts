/**
 * The watch loop: asks the gateway for one watched object at a time, when the schedule says,
 * and reports each new state once. Framework-free: the node hands in how to poll (the gateway's
 * own get, through its client and rate limiter), where emitted states are recorded, a clock,
 * and what to do with changes, timeouts and failures.
 */
import { GatewayError, RateLimitQueueFullError } from '../errors';
import type { Clock } from '../http/clock';
import type { PaywireMeta } from '../operations';
import { claimForWatch, markWatched } from './emitted';
import type { EmittedStateStore } from './emitted';
import { WatchSchedule } from './schedule';
import type { PollOutcome, ScheduleSettings, WatchEntry } from './schedule';
import { targetKey } from './targets';
import type { Observed, WatchTarget } from './targets';
import type { SavedEntry } from './saved';

export interface PollAnswer {
  payload: unknown;
  meta: PaywireMeta;
}

export interface StateChange {
  target: WatchTarget;
  payload: unknown;
  meta: PaywireMeta;
  previous: Observed | undefined;
}

export interface WatcherEvents {
  /** A state no one emitted before: send it. */
  changed(change: StateChange): void;
  /** Watched for the whole timeout without reaching a final state; `payload` = the object as last seen (undefined if never). */
  timedOut(entry: WatchEntry, payload: unknown): void;
  /** A poll failed; `gaveUp` when the object is no longer watched (the gateway does not know it). */
  failed(target: WatchTarget, err: unknown, info: { failures: number; gaveUp: boolean }): void;
  /** A state was emitted but could not be recorded as such: a callback may emit it again (at least once). */
  unrecorded(target: WatchTarget, err: unknown): void;
  /** The list or a state in it changed: save it. */
  listChanged(): void;
  /** Something the status shows changed (a poll started or ended, an object came or went). */
  progress(): void;
}

export interface WatcherOptions {
  /** Scope of emitted-state records: the gateway config node's id. */
  gateway: string;
  settings: ScheduleSettings;
  clock: Clock;
  poll(target: WatchTarget, signal: AbortSignal): Promise<PollAnswer>;
  emitted: EmittedStateStore;
  events: WatcherEvents;
}

function sameObserved(a: Observed | undefined, b: Observed): boolean {
  return a !== undefined && a.state === b.state && a.reason === b.reason;
}

/** How a failed poll affects the schedule: a 429 (or our own full queue) pauses everyone. */
function outcomeOf(err: unknown): PollOutcome {
  if ((err instanceof GatewayError && err.httpStatus === 429) || err instanceof RateLimitQueueFullError) return { kind: 'rate_limited', retryAt: undefined };
  return { kind: 'failed' };
}

/** The gateway says the object does not exist: asking again will not change that. */
function isGone(err: unknown): boolean {
  return err instanceof GatewayError && err.httpStatus === 404;
}

export class Watcher {
  private readonly schedule: WatchSchedule;
  /** The object as last polled, for the timeout message; not saved (the next poll brings it again). */
  private readonly lastPayload = new Map<string, unknown>();
  private cancelTimer: (() => void) | undefined;
  private inFlight: AbortController | undefined;
  private stopped = false;

  constructor(private readonly options: WatcherOptions) {
    this.schedule = new WatchSchedule(options.settings);
  }

  get size(): number {
    return this.schedule.size;
  }

  /** True while a poll is out. */
  get polling(): boolean {
    return this.inFlight !== undefined;
  }

  /** When the next poll may start; undefined when nothing is watched. */
  nextPollAt(): number | undefined {
    return this.schedule.nextPollAt();
  }

  /**
   * Starts watching `target` from the state `observed` (undefined: the first answer is
   * emitted); false when it is watched already. Noted in the shared record first, so from now
   * on a callback repeating a state of it is skipped.
   */
  async add(target: WatchTarget, observed: Observed | undefined): Promise<boolean> {
    if (this.schedule.get(targetKey(target))) return false;
    await markWatched(this.options.emitted, this.options.gateway, target);
    const { added } = this.schedule.add(target, observed, this.options.clock.now());
    if (added) this.changedList();
    return added;
  }

  /** Entries saved before a restart; those whose time is up end with watch_timeout on the next turn. */
  async restore(entries: readonly SavedEntry[]): Promise<void> {
    const now = this.options.clock.now();
    for (const entry of entries) {
      if (this.schedule.get(targetKey(entry.target))) continue;
      await markWatched(this.options.emitted, this.options.gateway, entry.target);
      this.schedule.restore(entry, now);
    }
    this.changedList();
  }

  remove(target: WatchTarget): boolean {
    const key = targetKey(target);
    if (!this.schedule.remove(key)) return false;
    this.lastPayload.delete(key);
    this.changedList();
    return true;
  }

  entries(): WatchEntry[] {
    return this.schedule.all();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.inFlight?.abort();
  }

  private changedList(): void {
    this.options.events.listChanged();
    this.options.events.progress();
    this.wake();
  }

  /** Does what is due now, or sleeps until something is. */
  private wake(): void {
    if (this.stopped || this.inFlight) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const { clock, events } = this.options;
    for (;;) {
      const now = clock.now();
      const next = this.schedule.next(now);
      if (next.kind === 'idle') return;
      if (next.kind === 'wait') {
        this.cancelTimer = clock.setTimer(() => {
          this.cancelTimer = undefined;
          this.wake();
        }, next.at - now);
        return;
      }
      if (next.kind === 'timeout') {
        this.schedule.remove(next.entry.key);
        const payload = this.lastPayload.get(next.entry.key);
        this.lastPayload.delete(next.entry.key);
        events.timedOut(next.entry, payload);
        events.listChanged();
        events.progress();
        continue;
      }
      void this.poll(next.entry);
      return;
    }
  }

  private async poll(entry: WatchEntry): Promise<void> {
    const { clock, events } = this.options;
    const controller = new AbortController();
    this.inFlight = controller;
    this.schedule.started(entry, clock.now());
    events.progress();
    let outcome: PollOutcome;
    try {
      const answer = await this.options.poll(entry.target, controller.signal);
      outcome = { kind: 'answered' };
      if (!this.stopped && this.schedule.get(entry.key) === entry) await this.take(entry, answer);
    } catch (err) {
      outcome = outcomeOf(err);
      if (!this.stopped && this.schedule.get(entry.key) === entry) {
        const gaveUp = isGone(err);
        if (gaveUp) this.remove(entry.target);
        events.failed(entry.target, err, { failures: entry.failures + 1, gaveUp });
      }
    }
    this.inFlight = undefined;
    if (this.stopped) return;
    if (this.schedule.get(entry.key) === entry) this.schedule.finished(entry, outcome, clock.now());
    events.progress();
    this.wake();
  }

  /** An answer: emit its state if it is new and no callback emitted it; stop at a final one. */
  private async take(entry: WatchEntry, answer: PollAnswer): Promise<void> {
    const { meta } = answer;
    if (meta.state === null) throw new Error(`the ${meta.provider} ${meta.resource} ${entry.target.id} came back without a state`);
    this.lastPayload.set(entry.key, answer.payload);
    const observed: Observed = { state: meta.state, reason: meta.reason };
    if (!sameObserved(entry.observed, observed)) {
      const fact = { gateway: this.options.gateway, target: entry.target, observed };
      const recorded = await claimForWatch(this.options.emitted, fact);
      if (this.stopped || this.schedule.get(entry.key) !== entry) {
        // Stopped or unwatched meanwhile: not emitted, so not recorded either (a callback may still bring it).
        await recorded?.undo();
        return;
      }
      const previous = entry.observed;
      if (recorded) {
        try {
          this.options.events.changed({ target: entry.target, payload: answer.payload, meta, previous });
        } catch (err) {
          await recorded.undo();
          throw err;
        }
        // The message is out whatever happens to the record: not kept, it lapses within a minute.
        recorded.keep().catch((err: unknown) => this.options.events.unrecorded(entry.target, err));
      }
      entry.observed = observed;
      this.options.events.listChanged();
    }
    if (meta.final === true) this.remove(entry.target);
  }
}
