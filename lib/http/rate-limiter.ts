/**
 * A client-side rate limiter with a bounded FIFO queue, shared by every request sent with one
 * API key (see shared-limiters.ts). Two modes:
 *
 * - sliding: at most `limit` requests per window. A request holds its slot from the moment it
 *   is let through until `windowMs` after its answer (or failure). The gateway receives a
 *   request between those two instants, so any window of `windowMs` on the gateway's side sees
 *   at most `limit` of ours, whatever the latency or queueing in the connection pool, and
 *   whether it counts in sliding or fixed windows.
 * - headers: the X-RateLimit-Limit/Remaining/Reset of each answer drive it. Until the first
 *   answer one request goes at a time; a gateway that sends no such headers gets the sliding
 *   window. Requests let through after the answered one count against Remaining; when what is
 *   left falls to a reserve (10 % of the limit) the rest is spread evenly until the reset, so a
 *   burst never drives Remaining to 0; at 0 everything waits for the reset.
 *
 * A 429 pauses everyone until the reset the gateway states (or its rule gives), and in sliding
 * mode teaches the limiter the gateway's real limit: the number of our requests it accepted in
 * its window before refusing. What it learned lapses after LEARNED_LIMIT_WINDOWS windows past the
 * pause without another 429: a gateway also refuses for other reasons (another client on the same
 * key, a burst of 429s while it is overloaded), and one such storm must not throttle the key for
 * good. If the limit is real, the next 429 teaches it again (one refusal per ten windows at most).
 */
import { RateLimitQueueFullError, TransportError } from '../errors';
import type { Clock } from './clock';
import { cancelled } from './clock';
import { readRateLimitHeaders } from './rate-headers';
import type { RateLimitHeaders, ResponseHeaders } from './rate-headers';

export interface LimiterSettings {
  /** Requests per window, > 0. */
  limit: number;
  windowMs: number;
  /** Requests that may wait; one more fails with rate_limit_queue_full. */
  maxQueue: number;
  mode: 'sliding' | 'headers';
  epochAligned: boolean;
}

export interface Permit {
  readonly seq: number;
  readonly permittedAt: number;
}

export interface AcquireOptions {
  signal?: AbortSignal | undefined;
  /** Stop waiting at this time (a retry close to its request's deadline). */
  deadlineAt?: number | undefined;
  /** A retry: it goes before requests still waiting for their first attempt, and the queue bound does not apply. */
  priority?: boolean | undefined;
  /** The request joined the queue: `queued` wait (it included), its turn in about `delayMs`. */
  onQueued?: ((queued: number, delayMs: number) => void) | undefined;
  /** The request left the queue to be sent; `queued` still wait. */
  onLeft?: ((queued: number) => void) | undefined;
}

export interface Outcome {
  /** Undefined when no answer came (network error, timeout). */
  status?: number | undefined;
  headers?: ResponseHeaders | undefined;
  /** For a 429: when the gateway takes requests again, if it said or its rule says. */
  resetAt?: number | undefined;
}

/** Rejection of acquire() when `deadlineAt` passed in the queue. */
export class QueueDeadlineError extends Error {}

interface Slot extends Permit {
  /** The slot is free again from then on; Infinity while the request is in flight. */
  releaseAt: number;
  refused: boolean;
}

interface Waiter {
  options: AcquireOptions;
  resolve(permit: Permit): void;
  reject(err: Error): void;
  cleanup(): void;
}

interface Window extends RateLimitHeaders {
  /** Sequence number of the request whose answer this is. */
  seq: number;
  /** Guessed after a reset went by without an answer telling the new window. */
  estimated: boolean;
}

/** Windows after a 429's pause that a learned limit holds without another 429. */
export const LEARNED_LIMIT_WINDOWS = 10;
/** Share of the header limit below which requests are spread out until the reset. */
const RESERVE_FRACTION = 0.1;
/** Resets are whole seconds on the gateway's clock: same-window answers may differ by that much. */
const SAME_WINDOW_MS = 1000;

export class RateLimiter {
  private settings: LimiterSettings;
  private learnedLimit = Infinity;
  /** The learned limit lapses then, unless another 429 comes first. */
  private learnedUntil = Infinity;
  private slots: Slot[] = [];
  private readonly queue: Waiter[] = [];
  private seq = 0;
  private lastPermitAt = -Infinity;
  private pausedUntil = 0;
  private window: Window | undefined;
  /** Headers mode, but an answer came without X-RateLimit-*: fall back to the sliding window. */
  private headerless = false;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;

  constructor(
    readonly service: string,
    settings: LimiterSettings,
    private readonly clock: Clock,
    private readonly notice: (text: string) => void = () => undefined,
  ) {
    this.settings = settings;
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.queue.length;
  }

  /** The limit in force: the configured one, or lower when a 429 taught us better. */
  get limit(): number {
    return Math.min(this.settings.limit, this.learnedLimit);
  }

  configure(settings: LimiterSettings): void {
    this.settings = settings;
    this.pump();
  }

  acquire(options: AcquireOptions = {}): Promise<Permit> {
    if (options.signal?.aborted) return Promise.reject(cancelled(this.service));
    const now = this.clock.now();
    if (this.queue.length === 0 && this.nextPermitAt(now) <= now) return Promise.resolve(this.grant(now));
    if (!options.priority && this.queue.length >= this.settings.maxQueue) {
      return Promise.reject(new RateLimitQueueFullError(this.service, this.settings.maxQueue));
    }
    return new Promise<Permit>((resolve, reject) => {
      const leave = (err: Error): void => {
        const i = this.queue.indexOf(waiter);
        if (i < 0) return;
        this.queue.splice(i, 1);
        waiter.cleanup();
        options.onLeft?.(this.queue.length);
        reject(err);
        this.pump();
      };
      const onAbort = (): void => leave(cancelled(this.service));
      const cancelDeadline =
        options.deadlineAt === undefined ? undefined : this.clock.setTimer(() => leave(new QueueDeadlineError('deadline passed in the queue')), options.deadlineAt - now);
      const waiter: Waiter = {
        options,
        resolve,
        reject,
        cleanup: () => {
          cancelDeadline?.();
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.priority) {
        const firstOrdinary = this.queue.findIndex((w) => !w.options.priority);
        this.queue.splice(firstOrdinary < 0 ? this.queue.length : firstOrdinary, 0, waiter);
      } else {
        this.queue.push(waiter);
      }
      options.onQueued?.(this.queue.length, this.estimateWait(now, this.queue.indexOf(waiter)));
      this.pump();
    });
  }

  /** Every permit must come back here once its request answered or failed. */
  complete(permit: Permit, outcome: Outcome): void {
    const slot = this.findSlot(permit.seq);
    const now = this.clock.now();
    if (slot) slot.releaseAt = now + this.settings.windowMs;
    if (outcome.status === 429) {
      if (slot) slot.refused = true;
      if (outcome.resetAt !== undefined && outcome.resetAt > this.pausedUntil) this.pausedUntil = outcome.resetAt;
      if (slot && this.settings.mode === 'sliding') this.learn(slot, outcome.resetAt);
      // every 429 keeps what was learned for another LEARNED_LIMIT_WINDOWS windows after the pause
      if (this.learnedLimit !== Infinity) this.learnedUntil = Math.max(now, this.pausedUntil) + LEARNED_LIMIT_WINDOWS * this.settings.windowMs;
    }
    if (this.settings.mode === 'headers' && outcome.status !== undefined) this.observe(permit.seq, outcome.headers ?? {}, now);
    this.pump();
  }

  /** Fails every waiting request (its clients closed); what was sent still counts. */
  failWaiting(): void {
    this.clearTimer();
    for (const waiter of this.queue.splice(0)) {
      waiter.cleanup();
      waiter.reject(new TransportError('network_error', `${this.service} client is closed`, { sent: false }));
    }
  }

  /** When no request sent through it counts against the window any more; Infinity while one is in flight. */
  idleAt(): number {
    let at = 0;
    for (const s of this.slots) at = Math.max(at, s.releaseAt);
    return at;
  }

  // ---- internals ----

  private grant(now: number): Permit {
    this.seq += 1;
    const slot: Slot = { seq: this.seq, permittedAt: now, releaseAt: Infinity, refused: false };
    this.slots.push(slot);
    this.lastPermitAt = now;
    return { seq: slot.seq, permittedAt: now };
  }

  private findSlot(seq: number): Slot | undefined {
    for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i]!.seq === seq) return this.slots[i];
    return undefined;
  }

  /** Drops the learned limit once it lapsed (see the top of the file). */
  private forgetLapsed(now: number): void {
    if (this.learnedLimit === Infinity || now < this.learnedUntil) return;
    this.learnedLimit = Infinity;
    this.learnedUntil = Infinity;
    const seconds = this.settings.windowMs / 1000;
    this.notice(`${this.service} took requests for ${LEARNED_LIMIT_WINDOWS * seconds} s without a 429: back to at most ${this.settings.limit} requests per ${seconds} s with this API key.`);
  }

  private pump(): void {
    const now = this.clock.now();
    this.forgetLapsed(now);
    // Slots are kept one window past their release, for learning the limit from a 429.
    if (this.slots.length > 0 && this.slots[0]!.releaseAt + this.settings.windowMs <= now) {
      this.slots = this.slots.filter((s) => s.releaseAt + this.settings.windowMs > now);
    }
    while (this.queue.length > 0) {
      const at = this.nextPermitAt(now);
      if (at > now) return this.schedule(at, now);
      const waiter = this.queue.shift()!;
      waiter.cleanup();
      const permit = this.grant(now);
      waiter.options.onLeft?.(this.queue.length);
      waiter.resolve(permit);
    }
    this.clearTimer();
  }

  /** Earliest time the next request may go; Infinity = when a request in flight completes. */
  private nextPermitAt(now: number): number {
    this.forgetLapsed(now);
    const at = Math.max(now, this.pausedUntil);
    if (this.settings.mode === 'headers' && !this.headerless) {
      if (this.window) return Math.max(at, this.headerNextAt(now));
      // Nothing known yet: one request goes alone, and its answer tells the window.
      if (this.slots.some((s) => s.releaseAt === Infinity)) return Infinity;
    }
    const limit = this.limit;
    const busy: number[] = [];
    for (const s of this.slots) if (s.releaseAt > now) busy.push(s.releaseAt);
    if (busy.length < limit) return at;
    busy.sort((a, b) => a - b);
    const next = Math.max(at, busy[busy.length - limit]!);
    if (next <= this.learnedUntil || this.learnedLimit >= this.settings.limit) return next;
    // The learned limit lapses before that: from then on the configured one applies.
    const configured = this.settings.limit;
    const lapsed = Math.max(at, this.learnedUntil, busy.length < configured ? -Infinity : busy[busy.length - configured]!);
    return Math.min(next, lapsed);
  }

  private headerNextAt(now: number): number {
    let w = this.window!;
    const margin = Math.min(1000, Math.max(50, this.settings.windowMs / 100));
    if (now >= w.resetAt + margin) {
      // The window ended with no answer since: assume a fresh one until an answer tells.
      w = this.window = { limit: w.limit, remaining: w.limit, resetAt: now + this.settings.windowMs, seq: this.seq, estimated: true };
    }
    const remaining = w.remaining - (this.seq - w.seq);
    if (remaining <= 0) return w.resetAt + margin;
    if (remaining > Math.max(1, Math.ceil(w.limit * RESERVE_FRACTION))) return now;
    return Math.max(now, this.lastPermitAt + (w.resetAt - now) / (remaining + 1));
  }

  private observe(seq: number, headers: ResponseHeaders, now: number): void {
    const answer = readRateLimitHeaders(headers, now);
    if (!answer) {
      if (!this.window) this.headerless = true;
      return;
    }
    this.headerless = false;
    const fresh: Window = { ...answer, seq, estimated: false };
    const current = this.window;
    const left = (w: Window): number => w.remaining - (this.seq - w.seq);
    if (!current || current.estimated || fresh.resetAt > current.resetAt + SAME_WINDOW_MS) this.window = fresh;
    else if (fresh.resetAt >= current.resetAt - SAME_WINDOW_MS && left(fresh) < left(current)) this.window = fresh;
  }

  private learn(slot: Slot, resetAt: number | undefined): void {
    const windowMs = this.settings.windowMs;
    const windowStart = this.settings.epochAligned && resetAt !== undefined ? resetAt - windowMs : slot.permittedAt - windowMs;
    let admitted = 0;
    for (const s of this.slots) if (!s.refused && s.seq < slot.seq && s.permittedAt >= windowStart) admitted += 1;
    // Refused before any of ours got through: someone else used the window; nothing to learn.
    if (admitted === 0 || admitted >= this.limit) return;
    const learned = admitted;
    this.learnedLimit = learned;
    const seconds = windowMs / 1000;
    this.notice(
      `${this.service} refused a request (429) after accepting ${admitted} in ${seconds} s: from now on at most ${learned} requests per ${seconds} s are sent with this API key. ` +
        "Set the gateway's rate limit to the key's real limit.",
    );
  }

  private estimateWait(now: number, index: number): number {
    const next = this.nextPermitAt(now);
    const first = Number.isFinite(next) ? next - now : this.settings.windowMs;
    return Math.max(0, Math.round(first + Math.floor(index / Math.max(1, this.limit)) * this.settings.windowMs));
  }

  private schedule(at: number, now: number): void {
    if (at === this.timerAt) return;
    this.clearTimer();
    if (!Number.isFinite(at)) return;
    this.timerAt = at;
    this.cancelTimer = this.clock.setTimer(() => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, at - now);
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }
}
