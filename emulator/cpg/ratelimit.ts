// Fixed windows on the epoch minute (reference §3): bucket = floor(unix_seconds / 60), so every
// counter resets at the start of each UTC minute, whenever the first request of the minute came.

export interface MinuteDecision {
  allowed: boolean;
  used: number;
  /** Unix seconds when the bucket ends: unix_now - (unix_now % 60) + 60. */
  reset: number;
}

export class EpochMinuteCounter {
  private readonly buckets = new Map<string, { minute: number; used: number }>();

  /** Counts one request for `key`; a request over the limit is refused and uses nothing. */
  hit(key: string, limit: number, nowMs: number): MinuteDecision {
    const minute = Math.floor(nowMs / 60_000);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.minute !== minute) {
      bucket = { minute, used: 0 };
      this.buckets.set(key, bucket);
    }
    const allowed = bucket.used < limit;
    if (allowed) bucket.used += 1;
    return { allowed, used: bucket.used, reset: (minute + 1) * 60 };
  }

  reset(): void {
    this.buckets.clear();
  }
}
