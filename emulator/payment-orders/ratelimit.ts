// Fixed-window rate limit (reference §3: per-plan requests per hour; headers X-RateLimit-Limit,
// X-RateLimit-Remaining, X-RateLimit-Reset in Unix seconds). A window opens with the first request
// of a bucket and lasts windowSeconds on the emulator clock; a refused request uses no quota.

export interface RateLimitConfig {
  limit: number;
  windowSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  reset: number;
  /** Whole seconds until the window ends (>= 1), for Retry-After. */
  retryAfter: number;
}

interface Bucket {
  startMs: number;
  used: number;
}

export class FixedWindowLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly config: RateLimitConfig) {}

  hit(key: string, nowMs: number): RateDecision {
    const windowMs = this.config.windowSeconds * 1000;
    let bucket = this.buckets.get(key);
    if (!bucket || nowMs >= bucket.startMs + windowMs) {
      bucket = { startMs: nowMs, used: 0 };
      this.buckets.set(key, bucket);
    }
    const endMs = bucket.startMs + windowMs;
    const allowed = bucket.used < this.config.limit;
    if (allowed) bucket.used += 1;
    return {
      allowed,
      limit: this.config.limit,
      remaining: Math.max(0, this.config.limit - bucket.used),
      reset: Math.ceil(endMs / 1000),
      retryAfter: Math.max(1, Math.ceil((endMs - nowMs) / 1000)),
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return { 'X-RateLimit-Limit': String(d.limit), 'X-RateLimit-Remaining': String(d.remaining), 'X-RateLimit-Reset': String(d.reset) };
}
