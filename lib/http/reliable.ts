/**
 * The one way provider clients send requests: rate limiting per API key, then attempts with
 * exponential backoff and jitter until the request succeeds, fails for good, or its deadline
 * is near. Each attempt is prepared (signed, dated) right before it goes, so a retry never
 * replays an old signature. A request that is not safe to send twice (a payout without its
 * idempotency key) is retried only when it provably never left this machine.
 *
 * A provider client adopts it with one call per request:
 *
 *   const res = await this.transport.send({ method, target, replaySafe, prepare: () => ({ headers, body }), signal, onWait });
 *
 * and then turns `res` (the final answer, `res.attempts` = how many were made) into its result
 * or error exactly as it did with HttpClient.send().
 */
import { TransportError, attemptsNote } from '../errors';
import type { HttpMethod, HttpResponse, HttpSender } from './client';
import { sleep, systemClock } from './clock';
import type { Clock } from './clock';
import { backoffDelay } from './policy';
import type { HttpPolicy } from './policy';
import { QueueDeadlineError } from './rate-limiter';
import type { LimiterSettings, Permit, RateLimiter } from './rate-limiter';
import { joinLimiter, limiterKey } from './shared-limiters';
import type { LimiterMembership } from './shared-limiters';
import { readRateLimitHeaders } from './rate-headers';
import type { SharedRateGate, SharedSlot } from './shared-gate';

/** Why a request is waiting, for the node status ("queued 37", "retry 2 in 1.2 s"). */
export interface WaitProgress {
  reason: 'rate_limit' | 'retry';
  /** Attempts that failed so far; a retry is retry number `attempt`. */
  attempt: number;
  /** Expected wait in ms (for the queue, an estimate; 0 when the request just left the queue). */
  delayMs: number;
  /** Requests waiting in this API key's rate-limit queue. */
  queued: number;
}

/** What callers pass down with each call: cancellation and progress. */
export interface CallContext {
  signal?: AbortSignal | undefined;
  onWait?: ((progress: WaitProgress) => void) | undefined;
}

/** The gateway node's reliability settings; every field has a default. */
export interface ReliabilitySettings {
  /** How long a request may keep retrying, from its first attempt; 0 = one attempt only. Default 90 s. */
  deadlineMs?: number | undefined;
  /** Requests per window for this API key; undefined = the provider's documented limit; 0 = no client-side limit. */
  rateLimit?: number | undefined;
  /** Default: the provider's window. */
  rateLimitWindowMs?: number | undefined;
  /** Requests that may wait for the rate limit; default 10,000. */
  maxQueue?: number | undefined;
  /** Told when the limiter learns a lower limit from a 429 (the gateway node logs it). */
  onNotice?: ((text: string) => void) | undefined;
  /** Shares the limit with other processes using the same key (a paywire-redis); none = this process alone. */
  sharedGate?: SharedRateGate | undefined;
}

export const DEFAULT_DEADLINE_MS = 90_000;

/**
 * The least time a retry must have before the deadline. One with a few ms left can only time
 * out, and its "did not answer within 3 ms" would replace the failure that made it retry.
 */
export const MIN_ATTEMPT_MS = 100;
export const DEFAULT_MAX_QUEUE = 10_000;

export interface PreparedAttempt {
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

export interface ReliableRequest extends CallContext {
  method: HttpMethod;
  /** Path and query as sent, without the base URL's path prefix. */
  target: string;
  /**
   * True when sending it twice cannot act twice: reads, updates that set values, and writes
   * that carry their idempotency key (custom_id, client_reference, idempotency_key). Any
   * request goes again after a refused connection (nothing left) or a 429 (refused unread).
   */
  replaySafe: boolean;
  /** Builds one attempt's headers and body; called right before each attempt is sent. */
  prepare(attempt: number): PreparedAttempt;
  /**
   * A 2xx answer must be JSON: one whose body does not parse (cut off, garbled by a proxy) is
   * retried like a 503 when the request is replay-safe, and the parsed value is handed back.
   */
  expectJson?: boolean | undefined;
}

export interface ReliableResponse extends HttpResponse {
  /** Attempts made, this one included. */
  attempts: number;
  /** With `expectJson`: the parsed body of a 2xx answer (undefined when it did not parse or was empty). */
  json?: unknown;
}

interface JsonRead {
  json?: unknown;
  garbled: boolean;
}

const NOT_READ: JsonRead = { garbled: false };
const GARBLED: JsonRead = { garbled: true };

/** Parsed JSON of a 2xx answer, `garbled` when its non-empty body is not JSON. */
function readJson(res: HttpResponse): JsonRead {
  if (res.status < 200 || res.status >= 300 || res.body.length === 0) return NOT_READ;
  try {
    return { json: JSON.parse(res.body.toString('utf8')) as unknown, garbled: false };
  } catch {
    return GARBLED;
  }
}

/** The answer handed back, built field by field (no spread of the transport's object). */
function finalResponse(res: HttpResponse, attempts: number, read: JsonRead): ReliableResponse {
  const out: ReliableResponse = { status: res.status, headers: res.headers, body: res.body, attempts };
  if ('json' in read) out.json = read.json;
  return out;
}

export interface ReliableClientOptions {
  http: HttpSender & { close?(): Promise<void> };
  policy: HttpPolicy;
  /** The account identity the gateway rate-limits by (its API key); only a hash of it is kept. */
  identity: string;
  settings?: ReliabilitySettings | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
}

/** A request field that makes a write safe to repeat: a non-empty key, or a number. */
export function carriesKey(value: unknown): boolean {
  return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value));
}

type Failure = { response: HttpResponse } | { error: TransportError };

export class ReliableClient {
  private readonly http: ReliableClientOptions['http'];
  private readonly policy: HttpPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly deadlineMs: number;
  private readonly membership: LimiterMembership | undefined;
  private readonly shared: { gate: SharedRateGate; account: string; settings: LimiterSettings; onNotice?: ((text: string) => void) | undefined } | undefined;
  private gateFailing = false;
  private closed = false;

  constructor(options: ReliableClientOptions) {
    this.http = options.http;
    this.policy = options.policy;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const settings = options.settings ?? {};
    this.deadlineMs = Math.max(0, settings.deadlineMs ?? DEFAULT_DEADLINE_MS);
    const limiter = limiterSettings(options.policy, settings);
    const account = limiterKey(options.policy.service, options.http.origin + options.http.pathPrefix, options.identity);
    this.membership = limiter ? joinLimiter(account, options.policy.service, limiter, this.clock, settings.onNotice) : undefined;
    this.shared = limiter && settings.sharedGate ? { gate: settings.sharedGate, account, settings: limiter, onNotice: settings.onNotice } : undefined;
  }

  get pathPrefix(): string {
    return this.http.pathPrefix;
  }

  /** The shared limiter of this API key, undefined when client-side limiting is off. */
  get limiter(): RateLimiter | undefined {
    return this.membership?.limiter;
  }

  async send(request: ReliableRequest): Promise<ReliableResponse> {
    const { signal, onWait } = request;
    const service = this.policy.service;
    let firstAt: number | undefined;
    let last: Failure | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new TransportError('network_error', `${service} client is closed`, { sent: false });
      const deadlineAt = firstAt === undefined ? undefined : firstAt + this.deadlineMs;
      let permit: Permit | undefined;
      // Without a client-side limit nothing is awaited here (one async step less per request).
      const limiter = this.limiter;
      if (limiter) {
        try {
          permit = await limiter.acquire({
            signal,
            deadlineAt,
            priority: attempt > 1,
            onQueued: (queued, delayMs) => onWait?.({ reason: 'rate_limit', attempt: attempt - 1, delayMs, queued }),
            onLeft: (queued) => onWait?.({ reason: 'rate_limit', attempt: attempt - 1, delayMs: 0, queued }),
          });
        } catch (err) {
          if (err instanceof QueueDeadlineError && last) return this.giveUp(last, attempt - 1);
          throw err;
        }
      }
      const startedAt = this.clock.now();
      // A timer that fired late (a busy event loop) may leave too little for another attempt.
      if (deadlineAt !== undefined && startedAt > deadlineAt - MIN_ATTEMPT_MS && last) {
        this.limiter?.complete(permit!, {});
        return this.giveUp(last, attempt - 1);
      }
      firstAt ??= startedAt;
      let delayMs: number;
      let slot: SharedSlot | undefined;
      try {
        // As with the limiter: nothing awaited without a shared gate.
        // A retry waits at the shared gate only as long as still leaves it MIN_ATTEMPT_MS.
        if (this.shared) slot = await this.enterSharedGate(signal, deadlineAt === undefined ? undefined : deadlineAt - MIN_ATTEMPT_MS - startedAt);
        const { headers, body } = request.prepare(attempt);
        // What is left of the deadline after any wait at the gate.
        const timeoutMs = deadlineAt === undefined ? undefined : deadlineAt - (this.shared ? this.clock.now() : startedAt);
        const res = await this.http.send({ method: request.method, target: request.target, headers, body, signal, timeoutMs });
        const now = this.clock.now();
        const resetAt = res.status === 429 || this.policy.isRetryable(res) ? this.policy.resetAt(res, now) : undefined;
        this.limiter?.complete(permit!, { status: res.status, headers: res.headers, resetAt });
        permit = undefined;
        slot?.leave({ pauseMs: sharedPauseMs(res, resetAt, now) });
        slot = undefined;
        const read = request.expectJson ? readJson(res) : NOT_READ;
        // An answer means the request reached the gateway: only a replay-safe one goes again,
        // except a 429, which refuses the request before acting on it (the rate limit is
        // checked first), so sending it again cannot act twice.
        const again = request.replaySafe || res.status === 429;
        if ((!this.policy.isRetryable(res) && !read.garbled) || !again) return finalResponse(res, attempt, read);
        last = { response: res };
        delayMs = Math.max(backoffDelay(attempt, this.policy.backoff, this.random), resetAt === undefined ? 0 : resetAt - now);
      } catch (err) {
        if (permit) this.limiter?.complete(permit, {});
        slot?.leave({});
        // The shared limit had no room before the deadline: the retry is not made.
        if (err instanceof QueueDeadlineError && last) return this.giveUp(last, attempt - 1);
        if (!(err instanceof TransportError) || signal?.aborted || this.closed) throw err;
        if (!request.replaySafe && err.sent) throw err;
        last = { error: err };
        delayMs = backoffDelay(attempt, this.policy.backoff, this.random);
      }
      delayMs = Math.max(delayMs, this.policy.minRetryDelayMs);
      if (attempt >= this.policy.maxAttempts || this.clock.now() + delayMs > firstAt + this.deadlineMs - MIN_ATTEMPT_MS) return this.giveUp(last, attempt);
      onWait?.({ reason: 'retry', attempt, delayMs, queued: this.limiter?.queued ?? 0 });
      await sleep(this.clock, delayMs, signal, service);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.membership?.leave();
    await this.http.close?.();
  }

  /**
   * A slot in the limit shared with other instances. When the gate fails (Redis unreachable),
   * the request goes with the local limit alone: a Redis outage must not stop payments.
   */
  private async enterSharedGate(signal: AbortSignal | undefined, maxWaitMs: number | undefined): Promise<SharedSlot | undefined> {
    if (!this.shared) return undefined;
    const { gate, account, settings, onNotice } = this.shared;
    try {
      const slot = await gate.enter({ account, limit: this.limiter?.limit ?? settings.limit, configuredLimit: settings.limit, windowMs: settings.windowMs, signal, maxWaitMs });
      if (this.gateFailing) onNotice?.(`${this.policy.service}: the shared rate limit works again`);
      this.gateFailing = false;
      return slot;
    } catch (err) {
      if (signal?.aborted || err instanceof QueueDeadlineError) throw err;
      if (!this.gateFailing) onNotice?.(`${this.policy.service}: the shared rate limit is unavailable (${err instanceof Error ? err.message : String(err)}); this instance keeps its own limit meanwhile`);
      this.gateFailing = true;
      return undefined;
    }
  }

  private giveUp(last: Failure, attempts: number): ReliableResponse {
    if ('response' in last) return { ...last.response, attempts };
    const err = last.error;
    if (attempts <= 1) throw err;
    throw new TransportError(err.code, `${err.message}${attemptsNote(attempts)}`, { cause: err, sent: err.sent });
  }
}

/** What every instance must wait after this answer: until the reset after a 429 or when Remaining hit 0. */
function sharedPauseMs(res: HttpResponse, resetAt: number | undefined, now: number): number | undefined {
  if (res.status === 429) return resetAt === undefined ? undefined : Math.max(0, resetAt - now);
  const window = readRateLimitHeaders(res.headers, now);
  return window && window.remaining <= 0 ? Math.max(0, window.resetAt - now) : undefined;
}

function limiterSettings(policy: HttpPolicy, settings: ReliabilitySettings): LimiterSettings | undefined {
  const limit = settings.rateLimit ?? policy.rateLimit.limit;
  if (!(limit > 0)) return undefined;
  return {
    limit: Math.max(1, Math.floor(limit)),
    windowMs: settings.rateLimitWindowMs && settings.rateLimitWindowMs > 0 ? settings.rateLimitWindowMs : policy.rateLimit.windowMs,
    maxQueue: Math.max(0, Math.floor(settings.maxQueue ?? DEFAULT_MAX_QUEUE)),
    mode: policy.rateLimit.mode,
    epochAligned: policy.rateLimit.epochAligned === true,
  };
}
