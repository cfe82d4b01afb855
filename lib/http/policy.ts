/**
 * What a provider declares about its gateway's HTTP behaviour, in one object: which answers are
 * worth another attempt, how to read when its limit resets, and its documented rate limit.
 * The retry loop and the rate limiter (lib/http/reliable.ts) do the rest for every provider.
 */
import type { HttpResponse } from './client';
import { statedResetAt } from './rate-headers';

export interface RateLimitPolicy {
  /** Requests per window allowed by default (the provider's documented figure). */
  limit: number;
  windowMs: number;
  /**
   * `sliding`: keep below `limit` per window on our side. `headers`: follow the
   * X-RateLimit-Limit/Remaining/Reset of every answer, slowing down before Remaining hits 0
   * (`limit`/`windowMs` are then only the assumption until the first answer).
   */
  mode: 'sliding' | 'headers';
  /** The server counts in windows aligned on the epoch (CPG's epoch minute); used to learn its limit from a 429. */
  epochAligned?: boolean;
}

export interface BackoffOptions {
  /** Ceiling of the first retry's delay; each retry doubles it up to `maxMs`. */
  baseMs: number;
  maxMs: number;
}

export interface HttpPolicy {
  /** The gateway's name in messages, e.g. `Cryptopay`. */
  service: string;
  rateLimit: RateLimitPolicy;
  /** Attempts per request, the first included (the gateway's deadline may stop earlier). */
  maxAttempts: number;
  backoff: BackoffOptions;
  /** No retry sooner than this (CPG: a new second, so the new signature differs from the old). */
  minRetryDelayMs: number;
  /** An answer worth sending again (when the request is safe to send twice). */
  isRetryable(res: HttpResponse): boolean;
  /** When the gateway takes requests again after this answer, in ms since the epoch; undefined when unknown. */
  resetAt(res: HttpResponse, nowMs: number): number | undefined;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };
export const DEFAULT_MAX_ATTEMPTS = 8;

/** 429 and 5xx, except 501 (the gateway will never implement it on a second try). */
export function isTransientStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

export function defineHttpPolicy(policy: Pick<HttpPolicy, 'service' | 'rateLimit'> & Partial<HttpPolicy>): HttpPolicy {
  return {
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    backoff: DEFAULT_BACKOFF,
    minRetryDelayMs: 0,
    isRetryable: (res) => isTransientStatus(res.status),
    resetAt: statedResetAt,
    ...policy,
  };
}

/**
 * Exponential backoff with "equal jitter": retry n (1 = first) waits between half and all of
 * min(maxMs, baseMs · 2^(n-1)), so delays grow for certain while clients that failed together
 * spread out. `random` returns [0, 1).
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
