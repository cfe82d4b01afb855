/** How CPG's API behaves under load and failure (reference §2.4, §3), for lib/http/reliable.ts. */
import { defineHttpPolicy, isTransientStatus } from '../../http/policy';
import type { HttpResponse } from '../../http/client';
import { nextEpochMinute, statedResetAt } from '../../http/rate-headers';

/**
 * Each key's `rate_limit_per_min` is set when the key is created and is not documented; 60 is
 * our cautious default (the gateway setting raises it, and a 429 teaches the real value).
 */
export const DEFAULT_CPG_RATE_LIMIT = 60;

/** The server keeps each signature for a while and refuses it again; a retry re-signed in a new second gets through. */
function isReplayedSignature(res: HttpResponse): boolean {
  if (res.status !== 401) return false;
  try {
    return (JSON.parse(res.body.toString('utf8')) as { message?: unknown }).message === 'Request signature has already been used';
  } catch {
    return false;
  }
}

export const cpgHttpPolicy = defineHttpPolicy({
  service: 'CPG',
  // Counted per epoch minute (bucket floor(now / 60)).
  rateLimit: { limit: DEFAULT_CPG_RATE_LIMIT, windowMs: 60_000, mode: 'sliding', epochAligned: true },
  // The timestamp is in whole seconds: a retry within the same second would carry the same signature.
  minRetryDelayMs: 1000,
  isRetryable: (res) => isTransientStatus(res.status) || isReplayedSignature(res),
  // The per-key 429 has no headers: the bucket resets at the next epoch minute. The per-IP
  // backstop does send Retry-After / X-RateLimit-*, which win when present.
  resetAt: (res, now) => statedResetAt(res, now) ?? (res.status === 429 ? nextEpochMinute(now) : undefined),
});
