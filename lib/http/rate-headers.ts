/**
 * Reading when a gateway will take requests again: `Retry-After`, the `X-RateLimit-*` trio,
 * and CPG's rule for its header-less 429 (the next epoch minute). Times are ms since the epoch.
 */
import type { HttpResponse } from './client';

export type ResponseHeaders = HttpResponse['headers'];

export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** `Retry-After: 120` (seconds) or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`. */
export function retryAfterAt(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return nowMs + Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(nowMs, date);
}

/**
 * `X-RateLimit-Reset`: Unix seconds (the payment-orders API documents `1640995200`). Some
 * servers send seconds until the reset instead, or Unix milliseconds; the size tells them apart.
 */
export function resetHeaderAt(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  if (n >= 1e12) return n;
  if (n >= 1e9) return n * 1000;
  return nowMs + n * 1000;
}

/** CPG counts per epoch minute; its 429 carries no headers, so the reset is `now - now % 60 + 60` (seconds). */
export function nextEpochMinute(nowMs: number): number {
  const seconds = Math.floor(nowMs / 1000);
  return (seconds - (seconds % 60) + 60) * 1000;
}

export interface RateLimitHeaders {
  limit: number;
  remaining: number;
  resetAt: number;
}

/** The `X-RateLimit-Limit/Remaining/Reset` trio, when all three are present and numeric. */
export function readRateLimitHeaders(headers: ResponseHeaders, nowMs: number): RateLimitHeaders | undefined {
  const limit = Number(headerValue(headers, 'x-ratelimit-limit'));
  const remaining = Number(headerValue(headers, 'x-ratelimit-remaining'));
  const resetAt = resetHeaderAt(headerValue(headers, 'x-ratelimit-reset'), nowMs);
  if (!Number.isInteger(limit) || limit <= 0 || !Number.isInteger(remaining) || remaining < 0 || resetAt === undefined) return undefined;
  return { limit, remaining: Math.min(remaining, limit), resetAt };
}

/**
 * What most gateways say: `Retry-After`, else an exhausted `X-RateLimit-*` window's reset.
 * Undefined when the answer does not say (the caller then backs off on its own).
 */
export function statedResetAt(res: Pick<HttpResponse, 'headers'>, nowMs: number): number | undefined {
  const after = retryAfterAt(headerValue(res.headers, 'retry-after'), nowMs);
  if (after !== undefined) return after;
  const window = readRateLimitHeaders(res.headers, nowMs);
  return window && window.remaining === 0 ? window.resetAt : undefined;
}
