// Per-API-key request limit (reference §8.4: 200 requests per minute per api key).
// Sliding 60-second window on the emulator clock; a request rejected with 429 does not use quota.

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a request for `key` at `nowMs`; false when it exceeds the limit. */
  tryHit(key: string, nowMs: number): boolean {
    const since = nowMs - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      return false;
    }
    list.push(nowMs);
    this.hits.set(key, list);
    return true;
  }

  reset(): void {
    this.hits.clear();
  }
}
